using System.Collections.Frozen;
using System.Threading.RateLimiting;
using Heartline.Core.Auth;
using Heartline.Core.Connections;
using Heartline.Core.Protocol;
using Microsoft.Extensions.Options;

namespace Heartline.Qna;

/// <summary>
/// What every Q&amp;A command passes first: the role, the blocklist (user and address) and the per-user and per-address
/// command limits. The limits are fixed one-minute windows of System.Threading.RateLimiting, kept per node (a user's
/// connections on two nodes get a window on each; docs/qna.md).
/// </summary>
internal sealed class QnaGuard : IDisposable
{
    private static readonly TimeSpan BlocklistFreshness = TimeSpan.FromSeconds(5);
    private readonly QnaStore _store;
    private readonly TimeProvider _time;
    private readonly PartitionedRateLimiter<string> _perUser;
    private readonly PartitionedRateLimiter<string> _perAddress;
    private readonly SemaphoreSlim _refresh = new(1, 1);
    private volatile Blocklist _blocks = new(FrozenSet<string>.Empty, FrozenSet<string>.Empty, 0);

    public QnaGuard(QnaStore store, IOptions<QnaOptions> options, TimeProvider time)
    {
        _store = store;
        _time = time;
        var o = options.Value;
        _perUser = Limiter(o.CommandsPerMinutePerUser);
        _perAddress = Limiter(o.CommandsPerMinutePerIp);
    }

    private sealed record Blocklist(FrozenSet<string> Users, FrozenSet<string> Addresses, long LoadedAt);

    /// <summary>Whether the command may run; when not, it was answered with the reason.</summary>
    public async ValueTask<bool> AllowAsync(CommandContext context)
    {
        var principal = context.Principal;
        if (!QnaPermissions.CanUse(principal))
        {
            context.Error(ErrorCodes.Forbidden, "Q&A commands need the qna_user role");
            return false;
        }
        if (await IsBlockedAsync(principal.SubjectId, context.Connection.RemoteIp, context.Connection.Aborted).ConfigureAwait(false))
        {
            context.Error(QnaErrors.Blocked, "this user or address is blocked");
            return false;
        }
        if (!Take(_perUser, principal.SubjectId, context, "commands per user") || !Take(_perAddress, context.Connection.RemoteIp, context, "commands per address"))
            return false;
        return true;
    }

    public async ValueTask<bool> IsBlockedAsync(string userId, string? address, CancellationToken cancellationToken)
    {
        var blocks = _blocks;
        if (IsStale(blocks))
            blocks = await ReloadAsync(cancellationToken).ConfigureAwait(false);
        return blocks.Users.Contains(userId) || (address is not null && blocks.Addresses.Contains(address));
    }

    /// <summary>
    /// The blocklist as last read, without waiting (a tier's many candidates); when it is older than 5 s a reload starts in
    /// the background for the next caller.
    /// </summary>
    public bool IsBlockedUserNow(string userId)
    {
        var blocks = _blocks;
        if (IsStale(blocks) && _refresh.CurrentCount > 0) _ = ReloadInBackgroundAsync();
        return blocks.Users.Contains(userId);
    }

    private async Task ReloadInBackgroundAsync()
    {
        try
        {
            await ReloadAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is System.Data.Common.DbException or InvalidOperationException)
        {
            // The next caller tries again; the last list stays in force.
        }
    }

    private bool IsStale(Blocklist blocks) =>
        blocks.LoadedAt == 0 || _time.GetTimestamp() - blocks.LoadedAt > BlocklistFreshness.TotalSeconds * _time.TimestampFrequency;

    /// <summary>Reads the blocklist again now (after an administrator changed it here; other nodes see it within 5 s).</summary>
    public async Task<IReadOnlyList<(string Kind, string Value)>> ReloadListAsync(CancellationToken cancellationToken)
    {
        await ReloadAsync(cancellationToken, force: true).ConfigureAwait(false);
        return await _store.BlocksAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task<Blocklist> ReloadAsync(CancellationToken cancellationToken, bool force = false)
    {
        await _refresh.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var current = _blocks;
            if (!force && !IsStale(current)) return current;
            var rows = await _store.BlocksAsync(cancellationToken).ConfigureAwait(false);
            var fresh = new Blocklist(rows.Where(r => r.Kind == BlockKinds.User).Select(r => r.Value).ToFrozenSet(StringComparer.Ordinal),
                rows.Where(r => r.Kind == BlockKinds.Address).Select(r => r.Value).ToFrozenSet(StringComparer.Ordinal), _time.GetTimestamp());
            _blocks = fresh;
            return fresh;
        }
        finally
        {
            _refresh.Release();
        }
    }

    private static bool Take(PartitionedRateLimiter<string> limiter, string key, CommandContext context, string what)
    {
        using var lease = limiter.AttemptAcquire(key);
        if (lease.IsAcquired) return true;
        var retryAfter = lease.TryGetMetadata(MetadataName.RetryAfter, out var after) ? after : TimeSpan.FromSeconds(1);
        context.Error(ErrorCodes.RateLimited, "too many Q&A " + what + " in a minute", retryAfter);
        return false;
    }

    private static PartitionedRateLimiter<string> Limiter(int perMinute) =>
        PartitionedRateLimiter.Create<string, string>(key => RateLimitPartition.GetFixedWindowLimiter(key, _ =>
            new FixedWindowRateLimiterOptions { PermitLimit = perMinute, Window = TimeSpan.FromMinutes(1), QueueLimit = 0 }));

    public void Dispose()
    {
        _perUser.Dispose();
        _perAddress.Dispose();
        _refresh.Dispose();
    }
}

internal static class BlockKinds
{
    public const string User = "user", Address = "address";
}

/// <summary>The module's role and permission.</summary>
internal static class QnaPermissions
{
    public const string UserRole = "qna_user";
    public const string Use = "qna.use";

    public static bool CanUse(Principal principal) => principal.Has(Use) || principal.IsAdministrator;
}
