using System.Text.Json;
using Dapper;
using Heartline.Core.Auth;
using Heartline.Core.Protocol;
using Heartline.Core.Storage;

namespace Heartline.Core.Accounts;

/// <summary>
/// A kind of group a module declares (<see cref="Modules.HeartlineModule.AddGroupKinds"/>): push-to-talk's
/// <c>office</c> is named by the claims <c>region</c> and <c>office</c>, a webinar <c>agency</c> by <c>agency</c>. A
/// member's tokens carry those claims; the group's id is their values joined by '_'.
/// </summary>
public sealed record GroupKind(string Name, string Description, params string[] Claims);

/// <summary>What modules may ask of the groups (a report's time zone, say).</summary>
public interface IGroups
{
    /// <summary>The time zone set for a group, or null when none is (or there is no such group).</summary>
    Task<string?> TimeZoneAsync(string kind, string groupId, CancellationToken cancellationToken = default);
}

/// <summary>A group as stored and as the admin API shows it (with its member count).</summary>
internal sealed class GroupRow
{
    public string Kind { get; init; } = "";
    public string GroupId { get; init; } = "";
    public string Name { get; init; } = "";
    public string? Tenant { get; init; }
    public string? TimeZone { get; init; }
    public string Claims { get; init; } = "{}";
    public long CreatedAt { get; init; }
    public long UpdatedAt { get; init; }
}

internal sealed record GroupView(string Kind, string GroupId, string Name, string? Tenant, string? TimeZone, Dictionary<string, string> Claims,
    int Members);

internal sealed record GroupKindView(string Name, string Description, IReadOnlyList<string> Claims);

internal sealed record GroupList(IReadOnlyList<GroupKindView> Kinds, IReadOnlyList<GroupView> Groups);

internal sealed record CreateGroupRequest(string? Kind, Dictionary<string, string>? Claims, string? Name, string? TimeZone, string? Tenant);

internal sealed record UpdateGroupRequest(string? Name, string? TimeZone);

/// <summary>The groups: declared kinds, stored groups, validation, and their member counts from the account directory.</summary>
internal sealed class Groups(IHeartlineDatabase database, IEnumerable<GroupKind> kinds, IdentityCatalog catalog, AccountDirectory directory,
    TimeProvider time) : IGroups
{
    private const string Columns =
        "kind AS Kind, group_id AS GroupId, name AS Name, tenant AS Tenant, time_zone AS TimeZone, claims AS Claims, created_at AS CreatedAt, updated_at AS UpdatedAt";

    private readonly Dictionary<string, GroupKind> _kinds = kinds.GroupBy(k => k.Name, StringComparer.Ordinal)
        .ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);

    public IReadOnlyList<GroupKindView> Kinds => [.. _kinds.Values.OrderBy(k => k.Name, StringComparer.Ordinal).Select(k => new GroupKindView(k.Name, k.Description, k.Claims))];

    public async Task<string?> TimeZoneAsync(string kind, string groupId, CancellationToken cancellationToken = default) =>
        await database.ReadAsync(c => c.QuerySingleOrDefaultAsync<string?>(new CommandDefinition(
            "SELECT time_zone FROM account_groups WHERE kind = @Kind AND group_id = @GroupId", new { Kind = kind, GroupId = groupId },
            cancellationToken: cancellationToken)), cancellationToken).ConfigureAwait(false);

    public async Task<IReadOnlyList<GroupView>> ListAsync(CancellationToken cancellationToken)
    {
        var rows = await database.ReadAsync(c => c.QueryAsync<GroupRow>(new CommandDefinition(
            $"SELECT {Columns} FROM account_groups ORDER BY kind, group_id", cancellationToken: cancellationToken)), cancellationToken)
            .ConfigureAwait(false);
        return [.. rows.Select(View)];
    }

    /// <summary>Creates a group; the problem (400) or a conflict (409) when its kind, claims, name or time zone are wrong or it exists.</summary>
    public async Task<(GroupView? Group, string? Problem, bool Conflict)> CreateAsync(CreateGroupRequest request, CancellationToken cancellationToken)
    {
        if (request.Kind is null || !_kinds.TryGetValue(request.Kind, out var kind))
            return (null, "kind: one of " + string.Join(", ", _kinds.Keys.Order(StringComparer.Ordinal)), false);
        var claims = request.Claims ?? [];
        if (kind.Claims.Any(c => !claims.ContainsKey(c)) || claims.Count != kind.Claims.Length)
            return (null, $"claims: exactly {string.Join(", ", kind.Claims)}", false);
        if (catalog.ClaimsProblem(claims) is { } bad) return (null, bad, false);
        if (request.Name is not { Length: > 0 and <= 100 } name) return (null, "name: 1-100 characters", false);
        if (TimeZoneProblem(request.TimeZone) is { } zone) return (null, zone, false);
        if (request.Tenant is not null && !Identifiers.IsId(request.Tenant, allowUnderscore: true)) return (null, "tenant: 1-64 of A-Z a-z 0-9 - . @ _", false);
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var row = new GroupRow
        {
            Kind = kind.Name, GroupId = string.Join('_', kind.Claims.Select(c => claims[c])), Name = name.Trim(), Tenant = request.Tenant,
            TimeZone = request.TimeZone, Claims = AccountRow.JoinClaims(claims) ?? "{}",
            CreatedAt = now, UpdatedAt = now,
        };
        var created = await database.WriteAsync(async (c, tx) => await c.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO account_groups (kind, group_id, name, tenant, time_zone, claims, created_at, updated_at)
            VALUES (@Kind, @GroupId, @Name, @Tenant, @TimeZone, @Claims, @CreatedAt, @UpdatedAt) ON CONFLICT DO NOTHING
            """, row, tx, cancellationToken: cancellationToken)).ConfigureAwait(false) == 1, cancellationToken).ConfigureAwait(false);
        return created ? (View(row), null, false) : (null, $"{kind.Name} {row.GroupId} exists", true);
    }

    /// <summary>Renames a group or sets its time zone; null when there is no such group.</summary>
    public async Task<(GroupView? Group, string? Problem)> UpdateAsync(string kind, string groupId, UpdateGroupRequest request, CancellationToken cancellationToken)
    {
        if (request.Name is { } name && name.Trim().Length is 0 or > 100) return (null, "name: 1-100 characters");
        if (TimeZoneProblem(request.TimeZone) is { } zone) return (null, zone);
        var row = await database.WriteAsync(async (c, tx) => await c.QuerySingleOrDefaultAsync<GroupRow>(new CommandDefinition(
            $"""
            UPDATE account_groups SET name = COALESCE(@Name, name), time_zone = CASE WHEN @SetZone = 1 THEN @TimeZone ELSE time_zone END,
                updated_at = @Now
            WHERE kind = @Kind AND group_id = @GroupId
            RETURNING {Columns}
            """, new
            {
                Kind = kind, GroupId = groupId, Name = request.Name?.Trim(), SetZone = request.TimeZone is null ? 0 : 1,
                TimeZone = request.TimeZone is { Length: 0 } ? null : request.TimeZone, Now = time.GetUtcNow().ToUnixTimeMilliseconds(),
            }, tx, cancellationToken: cancellationToken)).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
        return (row is null ? null : View(row), null);
    }

    private GroupView View(GroupRow row)
    {
        var claims = JsonSerializer.Deserialize(row.Claims, HeartlineJsonContext.Default.DictionaryStringString) ?? [];
        return new GroupView(row.Kind, row.GroupId, row.Name, row.Tenant, row.TimeZone, claims, directory.CountMembers(claims));
    }

    private static string? TimeZoneProblem(string? zone) =>
        zone is null or { Length: 0 } || TimeZoneInfo.TryFindSystemTimeZoneById(zone, out _) ? null : $"time_zone: '{zone}' is not a known time zone (e.g. Asia/Seoul)";
}
