using System.Collections.Frozen;
using System.Text;
using Heartline.Core.Auth;
using Heartline.Core.Cluster;
using Heartline.Core.Connections;
using Heartline.Core.Operations;
using Heartline.Core.Protocol;
using Microsoft.Extensions.Options;

namespace Heartline.Core.Accounts;

/// <summary>
/// The accounts this node checks tokens against, in memory: a token of an account that was deactivated, or whose roles
/// or groups changed since the token was minted, is refused at <c>connect</c> (<c>4503 revoked</c>) and on the HTTP API,
/// though it has not expired. Reloaded every <c>Accounts:DirectoryRefreshSeconds</c>; a change made here applies at once
/// and is sent to the other nodes (peer message 0xF2), which reload that account and close its refused connections.
/// </summary>
internal sealed partial class AccountDirectory(AccountStore store, ConnectionRegistry registry, IPeerRelay peers,
    IOptions<AccountsOptions> options, ILogger<AccountDirectory> logger) : IConnectGate, ISweeper, IPeerMessageHandler, IAccountsDirectory
{
    public const byte MessageKind = 0xF2;
    private volatile FrozenDictionary<string, AccountRow> _accounts = FrozenDictionary<string, AccountRow>.Empty;
    private readonly Lock _lock = new();

    public string Name => "accounts";

    public TimeSpan Period => TimeSpan.FromSeconds(options.Value.DirectoryRefreshSeconds);

    public byte Kind => MessageKind;

    /// <summary>Why <paramref name="principal"/>'s token no longer holds; null when it does (or names no account).</summary>
    public string? Refusal(Principal principal)
    {
        if (principal.Kind != PrincipalKind.User || !_accounts.TryGetValue(principal.SubjectId, out var account)) return null;
        if (!account.IsActive) return "the account is deactivated";
        var claims = account.ClaimMap;
        var same = account.Tenant == principal.Tenant && account.RoleList.Order(StringComparer.Ordinal).SequenceEqual(principal.Roles.Order(StringComparer.Ordinal))
            && claims.Count == principal.Claims.Count && claims.All(c => principal.Claims.TryGetValue(c.Key, out var v) && v == c.Value);
        return same ? null : "the account's roles or groups changed since this token was issued: refresh it";
    }

    public int CountActive(string role, IReadOnlyDictionary<string, string> claims) =>
        _accounts.Values.Count(a => a.IsActive && a.RoleList.Contains(role, StringComparer.Ordinal) && Carries(a, claims));

    /// <summary>Active accounts whose claims include every one of <paramref name="claims"/> (a group's members).</summary>
    public int CountMembers(IReadOnlyDictionary<string, string> claims) => _accounts.Values.Count(a => a.IsActive && Carries(a, claims));

    /// <summary>Whether the account's claims include every one of <paramref name="claims"/>.</summary>
    private static bool Carries(AccountRow account, IReadOnlyDictionary<string, string> claims) =>
        claims.All(c => account.ClaimMap.TryGetValue(c.Key, out var value) && value == c.Value);

    public ValueTask<ConnectRefusal?> AdmitAsync(Principal principal, CancellationToken cancellationToken) =>
        ValueTask.FromResult(Refusal(principal) is { } why ? new ConnectRefusal(ErrorCodes.Unauthorized, why) : (ConnectRefusal?)null);

    public async Task<int> SweepAsync(CancellationToken cancellationToken)
    {
        var all = await store.ListAsync(cancellationToken).ConfigureAwait(false);
        lock (_lock) _accounts = all.ToFrozenDictionary(a => a.AccountId, StringComparer.Ordinal);
        return 0;
    }

    /// <summary>
    /// An account changed here: apply it, close this node's connections its tokens no longer cover, and tell the other
    /// nodes. Returns how many connections this node closed.
    /// </summary>
    public int Changed(AccountRow account)
    {
        Apply(account);
        if (peers.HasPeers) peers.Broadcast(MessageKind, Encoding.UTF8.GetBytes(account.AccountId));
        return CloseRefused(account.AccountId);
    }

    public void OnMessage(ReadOnlyMemory<byte> payload)
    {
        var accountId = Encoding.UTF8.GetString(payload.Span);
        _ = ReloadAsync(accountId);
    }

    private async Task ReloadAsync(string accountId)
    {
        try
        {
            if (await store.GetAsync(accountId, CancellationToken.None).ConfigureAwait(false) is { } account)
            {
                Apply(account);
                CloseRefused(accountId);
            }
        }
        catch (Exception ex)
        {
            // The periodic reload catches up.
            Log.ReloadFailed(logger, ex, accountId);
        }
    }

    private void Apply(AccountRow account)
    {
        lock (_lock)
        {
            var copy = new Dictionary<string, AccountRow>(_accounts, StringComparer.Ordinal) { [account.AccountId] = account };
            _accounts = copy.ToFrozenDictionary(StringComparer.Ordinal);
        }
    }

    private int CloseRefused(string accountId)
    {
        var closed = 0;
        foreach (var connection in registry.All)
        {
            if (connection.Principal is not { } principal || principal.SubjectId != accountId || Refusal(principal) is not { } why) continue;
            connection.Close(CloseCodes.Revoked, why);
            closed++;
        }
        return closed;
    }

    private static partial class Log
    {
        [LoggerMessage(1801, LogLevel.Warning, "Could not reload account {AccountId} after another node changed it")]
        public static partial void ReloadFailed(ILogger logger, Exception exception, string accountId);
    }
}
