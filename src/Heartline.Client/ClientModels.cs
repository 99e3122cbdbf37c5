using System.Diagnostics.CodeAnalysis;

namespace Heartline.Client;

/// <summary>The state of a <see cref="HeartlineClient"/>.</summary>
public enum HeartlineConnectionState
{
    /// <summary>Not connected: before <see cref="HeartlineClient.ConnectAsync"/>, or waiting to reconnect.</summary>
    Disconnected,
    /// <summary>Opening a socket and sending <c>connect</c>.</summary>
    Connecting,
    /// <summary>Connected; commands can be sent.</summary>
    Connected,
    /// <summary>Disposed, or stopped for good after a close code 4500–4999. Create a new client to start again.</summary>
    Closed,
}

/// <summary>A position in a channel's stream: the offset of a publication within an epoch.</summary>
/// <param name="Offset">The offset; offsets of one epoch increase by exactly 1 from 1.</param>
/// <param name="Epoch">The opaque epoch; it changes when the channel's history is lost.</param>
public readonly record struct StreamPosition(long Offset, string Epoch);

/// <summary>
/// Who a token identifies, as returned by <c>connect</c>: the subject, its roles, kind and tenant, the presence scopes
/// the connection is announced in, and the office when the token names one (push-to-talk's <c>region</c> and
/// <c>office</c> claims). Equal when every field is equal, the lists compared element by element.
/// </summary>
/// <param name="UserId">The subject id (the token's <c>sub</c>): a user, guest or service id.</param>
/// <param name="Name">The display name.</param>
/// <param name="Role">The primary role (the first of <see cref="Roles"/>), for example <c>pickup_driver</c>.</param>
/// <param name="RegionId">The region id, or null when the token names no office.</param>
/// <param name="OfficeId">The office id within the region, or null when the token names no office.</param>
/// <param name="Office">The office key <c>{region}_{office}</c> used in channel names, or null when the token names no office.</param>
public sealed record HeartlineUser(string UserId, string Name, string Role, string? RegionId, string? OfficeId, string? Office)
{
    /// <summary>Every role of the token, in its order; the first is <see cref="Role"/>. Default: <see cref="Role"/> alone.</summary>
    public IReadOnlyList<string> Roles { get; init; } = [Role];

    /// <summary>
    /// What kind of party the token identifies: <see cref="HeartlineUserKinds.User"/>, <see cref="HeartlineUserKinds.Guest"/>
    /// or <see cref="HeartlineUserKinds.Service"/> (a newer server may add kinds). Default: <c>user</c>.
    /// </summary>
    public string Kind { get; init; } = HeartlineUserKinds.User;

    /// <summary>The tenant (organization) the token names, or null.</summary>
    public string? Tenant { get; init; }

    /// <summary>
    /// The presence scopes the connection is announced in (the <c>connect</c> reply's <c>scopes</c>; push-to-talk's is
    /// the office). May be empty. The first is the default scope of <see cref="HeartlineClient.PresenceAsync"/>.
    /// Default: <see cref="Office"/> alone when it is set, else none.
    /// </summary>
    public IReadOnlyList<string> Scopes { get; init; } = Office is null ? [] : [Office];

    /// <summary>True when the token names an office (<see cref="Office"/> is set), as push-to-talk requires.</summary>
    [MemberNotNullWhen(true, nameof(Office), nameof(RegionId), nameof(OfficeId))]
    public bool HasOffice => Office is not null && RegionId is not null && OfficeId is not null;

    /// <summary>Whether <see cref="Roles"/> contains <paramref name="role"/> (ordinal comparison).</summary>
    public bool IsInRole(string role) => Roles.Contains(role, StringComparer.Ordinal);

    /// <inheritdoc />
    public bool Equals(HeartlineUser? other) =>
        other is not null && UserId == other.UserId && Name == other.Name && Role == other.Role && RegionId == other.RegionId
        && OfficeId == other.OfficeId && Office == other.Office && Kind == other.Kind && Tenant == other.Tenant
        && Roles.SequenceEqual(other.Roles, StringComparer.Ordinal) && Scopes.SequenceEqual(other.Scopes, StringComparer.Ordinal);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(UserId, Name, Role, Office, Kind, Tenant, Roles.Count, Scopes.Count);
}

/// <summary>The values of <see cref="HeartlineUser.Kind"/> the protocol defines.</summary>
public static class HeartlineUserKinds
{
    /// <summary>A person with an account (the default).</summary>
    public const string User = "user";

    /// <summary>An anonymous party, such as a webinar viewer without an account (tokens with the <c>guest</c> role are guests unless they say otherwise).</summary>
    public const string Guest = "guest";

    /// <summary>A program acting for itself.</summary>
    public const string Service = "service";
}

/// <summary>Options of <see cref="HeartlineClient.SubscribeAsync(string, SubscribeOptions?, CancellationToken)"/>.</summary>
public sealed class SubscribeOptions
{
    /// <summary>
    /// Resume after this position (the last publication processed earlier). Default: null, start with live publications.
    /// </summary>
    public StreamPosition? Since { get; init; }

    /// <summary>
    /// A handler attached to <see cref="Subscription.Publication"/> before the command is sent, so it also receives the
    /// publications recovered from <see cref="Since"/>, which are delivered before the subscribe call returns.
    /// </summary>
    public EventHandler<PublicationEventArgs>? OnPublication { get; init; }
}
