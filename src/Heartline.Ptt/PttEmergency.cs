using Dapper;
using Heartline.Core.Auth;
using Heartline.Core.Channels;
using Heartline.Core.Connections;
using Heartline.Core.Events;
using Heartline.Core.Protocol;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Heartline.Ptt;

/// <summary><c>emergency</c> on <c>ptt:{office}</c>: a member raised one (docs/protocol.md 10.2).</summary>
internal sealed record EmergencyRaised(string Type, string EmergencyId, string Office, PttUser User, long At, string? EndedSessionId);

/// <summary><c>emergency_acknowledged</c> on <c>ptt:{office}</c>: a call manager took it on.</summary>
internal sealed record EmergencyAcknowledged(string Type, string EmergencyId, string Office, PttUser By, long At);

internal sealed record EmergencyResult(string EmergencyId, string? EndedSessionId);

internal sealed record EmergencyAckArgs(string? EmergencyId);

internal sealed record EmergencyAckResult(bool Acknowledged);

/// <summary>An emergency as listed (open ones: not acknowledged yet).</summary>
internal sealed class EmergencyRow
{
    public string EmergencyId { get; init; } = "";
    public string Office { get; init; } = "";
    public string UserId { get; init; } = "";
    public string Name { get; init; } = "";
    public long RaisedAt { get; init; }
    public string? EndedSessionId { get; init; }
}

/// <summary>
/// Emergencies (seed 001 on the road; docs/protocol.md 10.2): a member raises one; the transmission on air gives way
/// (ended with reason <c>emergency</c>), every member and dashboard is told with a distinct cue, it is recorded with
/// who raised it, and it stays open until a call manager of the office acknowledges it. One per user per
/// <c>Ptt:EmergencyCooldownSeconds</c>, so it cannot be abused silently.
/// </summary>
internal sealed class Emergencies(FloorControl floors, PttStore store, IChannels channels, IEventLog events, TimeProvider time)
{
    public async Task<(EmergencyResult? Result, TimeSpan? RetryAfter)> RaiseAsync(ClientConnection connection, CancellationToken cancellationToken)
    {
        var principal = connection.Principal!;
        var office = principal.OfficeKey()!;
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var cooldown = floors.Options.EmergencyCooldownSeconds * 1000L;
        if (await store.LastEmergencyAtAsync(principal.SubjectId, cancellationToken).ConfigureAwait(false) is { } last && now - last < cooldown)
            return (null, TimeSpan.FromMilliseconds(cooldown - (now - last)));
        var ended = await floors.EndForEmergencyAsync(office, principal.SubjectId, cancellationToken).ConfigureAwait(false);
        var user = new PttUser(principal.SubjectId, principal.Name, connection.AppType);
        var raised = new EmergencyRaised("emergency", Guid.CreateVersion7().ToString("N"), office, user, now, ended);
        await store.InsertEmergencyAsync(raised, cancellationToken).ConfigureAwait(false);
        channels.Publish(PttChannels.EventChannel(office), raised, PttJsonContext.Default.EmergencyRaised);
        Record(PttEventTypes.EmergencyRaised, office, ended, principal, new() { ["emergency_id"] = raised.EmergencyId, ["name"] = principal.Name });
        return (new EmergencyResult(raised.EmergencyId, ended), null);
    }

    /// <summary>Acknowledges an open emergency of <paramref name="by"/>'s office: true once, false when it was already (or is unknown).</summary>
    public async Task<bool?> AcknowledgeAsync(string emergencyId, Principal by, CancellationToken cancellationToken)
    {
        var office = by.IsAdministrator ? null : by.OfficeKey();
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var acked = await store.AcknowledgeEmergencyAsync(emergencyId, office, by, now, cancellationToken).ConfigureAwait(false);
        if (acked is not { } emergencyOffice) return null;
        if (emergencyOffice.Length == 0) return false;
        channels.Publish(PttChannels.EventChannel(emergencyOffice), new EmergencyAcknowledged("emergency_acknowledged", emergencyId, emergencyOffice,
            new PttUser(by.SubjectId, by.Name, by.Role), now), PttJsonContext.Default.EmergencyAcknowledged);
        Record(PttEventTypes.EmergencyAcknowledged, emergencyOffice, null, by, new() { ["emergency_id"] = emergencyId, ["by_name"] = by.Name });
        return true;
    }

    private void Record(string type, string office, string? sessionId, Principal who, Dictionary<string, string> metadata) =>
        PttEventRecords.Enqueue(events, type, office, sessionId, who.SubjectId, time.GetUtcNow().ToUnixTimeMilliseconds(), metadata);
}

/// <summary><c>ptt.emergency</c>: raises an emergency in the caller's office (members who talk).</summary>
internal sealed class EmergencyCommand(Emergencies emergencies) : ICommandHandler
{
    public string Name => "ptt.emergency";

    public async ValueTask HandleAsync(CommandContext context)
    {
        if (!context.Principal.Has(PttRoles.Talk) || context.Principal.OfficeKey() is null)
        {
            context.Error(ErrorCodes.Forbidden, "only call managers and drivers of an office raise emergencies");
            return;
        }
        var (result, retryAfter) = await emergencies.RaiseAsync(context.Connection, context.Connection.Aborted).ConfigureAwait(false);
        if (result is null)
        {
            context.Error(ErrorCodes.RateLimited, $"an emergency was raised less than the cooldown ago; try again in {Math.Ceiling(retryAfter!.Value.TotalSeconds)} s");
            return;
        }
        context.Reply(result, PttJsonContext.Default.EmergencyResult);
    }
}

/// <summary><c>ptt.emergency_ack {emergency_id}</c>: a call manager of the office (or an administrator) acknowledges it.</summary>
internal sealed class EmergencyAckCommand(Emergencies emergencies) : ICommandHandler
{
    public string Name => "ptt.emergency_ack";

    public async ValueTask HandleAsync(CommandContext context)
    {
        if (context.ReadArgs(PttJsonContext.Default.EmergencyAckArgs) is not { } args) return;
        if (args.EmergencyId is not { Length: > 0 and <= 64 } id)
        {
            context.Error(ErrorCodes.BadRequest, "emergency_id is required");
            return;
        }
        if (!context.Principal.Has(PttRoles.Operate))
        {
            context.Error(ErrorCodes.Forbidden, "only call managers and administrators acknowledge emergencies");
            return;
        }
        var acked = await emergencies.AcknowledgeAsync(id, context.Principal, context.Connection.Aborted).ConfigureAwait(false);
        if (acked is null)
        {
            context.Error(ErrorCodes.NotFound, "no such emergency in this office");
            return;
        }
        context.Reply(new EmergencyAckResult(acked.Value), PttJsonContext.Default.EmergencyAckResult);
    }
}

/// <summary><c>GET /api/ptt/emergencies?office=</c>: the office's open emergencies, oldest first.</summary>
internal static class EmergenciesApi
{
    public static async Task<Results<Ok<IReadOnlyList<EmergencyRow>>, ProblemHttpResult>> ListOpen(HttpContext http, PttStore store, string? office,
        CancellationToken cancellationToken)
    {
        if (!PttApi.TryObserve(http, office, out var observed, out var problem)) return problem;
        office = observed;
        return TypedResults.Ok(await store.OpenEmergenciesAsync(office, cancellationToken).ConfigureAwait(false));
    }
}

internal sealed partial class PttStore
{
    public Task<long?> LastEmergencyAtAsync(string userId, CancellationToken cancellationToken) =>
        database.ReadAsync(c => c.ExecuteScalarAsync<long?>(new CommandDefinition(
            "SELECT MAX(raised_at) FROM ptt_emergencies WHERE user_id = @UserId", new { UserId = userId }, cancellationToken: cancellationToken)),
            cancellationToken);

    public Task InsertEmergencyAsync(EmergencyRaised e, CancellationToken cancellationToken) =>
        database.WriteAsync((c, tx) => c.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO ptt_emergencies (emergency_id, office, user_id, name, raised_at, ended_session_id)
            VALUES (@EmergencyId, @Office, @UserId, @Name, @At, @EndedSessionId)
            """, new { e.EmergencyId, e.Office, e.User.UserId, e.User.Name, e.At, e.EndedSessionId }, tx, cancellationToken: cancellationToken)),
            cancellationToken);

    /// <summary>
    /// Marks an emergency acknowledged: its office when this call did it, "" when it was acknowledged before, null when
    /// there is none (in <paramref name="office"/>, unless null: an administrator's, any office).
    /// </summary>
    public Task<string?> AcknowledgeEmergencyAsync(string emergencyId, string? office, Principal by, long now, CancellationToken cancellationToken) =>
        database.WriteAsync(async (c, tx) =>
        {
            var found = await c.QuerySingleOrDefaultAsync<string>(new CommandDefinition(
                "SELECT office FROM ptt_emergencies WHERE emergency_id = @Id AND (@Office IS NULL OR office = @Office)",
                new { Id = emergencyId, Office = office }, tx, cancellationToken: cancellationToken)).ConfigureAwait(false);
            if (found is null) return null;
            var updated = await c.ExecuteAsync(new CommandDefinition(
                """
                UPDATE ptt_emergencies SET acknowledged_at = @Now, acknowledged_by = @By, acknowledged_name = @Name
                WHERE emergency_id = @Id AND acknowledged_at IS NULL
                """, new { Id = emergencyId, Now = now, By = by.SubjectId, by.Name }, tx, cancellationToken: cancellationToken)).ConfigureAwait(false);
            return updated == 1 ? found : "";
        }, cancellationToken);

    public async Task<IReadOnlyList<EmergencyRow>> OpenEmergenciesAsync(string office, CancellationToken cancellationToken) =>
        [.. await database.ReadAsync(c => c.QueryAsync<EmergencyRow>(new CommandDefinition(
            """
            SELECT emergency_id AS EmergencyId, office AS Office, user_id AS UserId, name AS Name, raised_at AS RaisedAt,
                ended_session_id AS EndedSessionId
            FROM ptt_emergencies WHERE office = @Office AND acknowledged_at IS NULL ORDER BY raised_at
            """, new { Office = office }, cancellationToken: cancellationToken)), cancellationToken).ConfigureAwait(false)];
}
