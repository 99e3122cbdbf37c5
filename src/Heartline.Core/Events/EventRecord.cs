namespace Heartline.Core.Events;

/// <summary>One durable event. <see cref="Id"/> is 0 until stored; times are Unix milliseconds.</summary>
/// <param name="Scope">What the event belongs to: a module's key (a push-to-talk office) or a presence channel.</param>
/// <param name="Metadata">A JSON object, or null.</param>
public sealed record EventRecord(
    long Id, string Type, string Scope, string? SessionId, string? UserId, long Time, string? Metadata);

/// <summary>
/// A page query. Results are ordered by id, ascending unless <see cref="Descending"/>; <see cref="AfterId"/> and
/// <see cref="BeforeId"/> bound the ids (both exclusive), so pass <see cref="EventPage.NextAfterId"/> as AfterId
/// (ascending) or <see cref="EventPage.NextBeforeId"/> as BeforeId (descending) for the next page. <see cref="From"/>
/// is inclusive, <see cref="To"/> exclusive; <see cref="Limit"/> is clamped to 1..1000. <see cref="SessionId"/> keeps
/// one session's events (a module's session: push-to-talk's transmissions).
/// </summary>
public sealed record EventQuery(
    string? Scope = null, long? From = null, long? To = null, string? Type = null, long? AfterId = null, int Limit = 100,
    long? BeforeId = null, bool Descending = false, string? SessionId = null);

/// <summary>A page; the cursor in the query's direction is set when another page follows (the other is null).</summary>
public sealed record EventPage(IReadOnlyList<EventRecord> Items, long? NextAfterId, long? NextBeforeId = null);
