using System.Text.Json;

namespace Heartline.Voip;

/// <summary>
/// The state of a call as its lease holds it (key <see cref="CallKeys.Call"/> of the pair): who calls whom, the state,
/// the connection each party talks from, who is away (dropped, within the reclaim window) until when, and the epochs
/// of the parties' line leases that this call took (released only at those epochs).
/// </summary>
internal sealed record CallData(
    string CallId, string Tenant, string Caller, string CallerName, string Callee, string CalleeName, string Media,
    string State, long CreatedAt, long? AnsweredAt, string? CallerConnection, string? CalleeConnection,
    long? CallerAwayUntil, long? CalleeAwayUntil, long CallerLine, long CalleeLine)
{
    public const string Ringing = "ringing";
    public const string Active = "active";

    public bool IsParty(string party) => party == Caller || party == Callee;

    public string Other(string party) => party == Caller ? Callee : Caller;

    public string? ConnectionOf(string party) => party == Caller ? CallerConnection : CalleeConnection;

    public long? AwayUntil(string party) => party == Caller ? CallerAwayUntil : CalleeAwayUntil;

    public PartyInfo CallerInfo => new(Caller, CallerName);

    public PartyInfo CalleeInfo => new(Callee, CalleeName);

    /// <summary>The earliest time a party away since it dropped must be back by, or null.</summary>
    public long? AwayDeadline => (CallerAwayUntil, CalleeAwayUntil) switch
    {
        ({ } a, { } b) => Math.Min(a, b),
        ({ } a, null) => a,
        (null, { } b) => b,
        _ => null,
    };

    public string Serialize() => JsonSerializer.Serialize(this, VoipJson.Default.CallData);

    public static CallData? Parse(string? data) =>
        string.IsNullOrEmpty(data) ? null : JsonSerializer.Deserialize(data, VoipJson.Default.CallData);
}

/// <summary>The lease keys of calls: one per pair of parties (the call), one per party (its line: which pair it is engaged with).</summary>
internal static class CallKeys
{
    public const string CallPrefix = "voip.call:";
    public const string LinePrefix = "voip.line:";

    /// <summary>The pair's call lease: the two ids in ordinal order, so both directions meet on one lock (glare).</summary>
    public static string Call(string a, string b) =>
        string.CompareOrdinal(a, b) < 0 ? CallPrefix + a + "|" + b : CallPrefix + b + "|" + a;

    public static string Line(string party) => LinePrefix + party;
}
