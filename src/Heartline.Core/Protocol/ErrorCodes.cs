namespace Heartline.Core.Protocol;

/// <summary>What a client should do after an error or a close.</summary>
public enum ClientAdvice
{
    /// <summary>Change the request; retrying it unchanged fails again.</summary>
    DoNotRetry,
    /// <summary>Retry the same request later (with backoff or after the given delay).</summary>
    Retry,
    /// <summary>Open a new connection (with backoff).</summary>
    Reconnect,
    /// <summary>Nothing is wrong with the connection; carry on.</summary>
    Ignore,
    /// <summary>Stop: new credentials or a fixed client are needed.</summary>
    GiveUp,
}

/// <summary>
/// A stable error code of replies, error pushes and HTTP problem documents, with the advice the documentation gives
/// for it. The core and every module register theirs (<c>AddErrorCodes</c>); together they are the one catalog that
/// docs/protocol.md section 6 lists, and a test keeps the two in step. Code never sends a code it did not register.
/// </summary>
public readonly record struct ErrorCode(string Name, ClientAdvice Advice)
{
    public override string ToString() => Name;
}

/// <summary>The core's error codes.</summary>
public static class ErrorCodes
{
    public static readonly ErrorCode BadRequest = new("bad_request", ClientAdvice.DoNotRetry);
    public static readonly ErrorCode UnknownCommand = new("unknown_command", ClientAdvice.DoNotRetry);
    public static readonly ErrorCode NotConnected = new("not_connected", ClientAdvice.Reconnect);
    public static readonly ErrorCode AlreadyConnected = new("already_connected", ClientAdvice.Ignore);
    public static readonly ErrorCode Unauthorized = new("unauthorized", ClientAdvice.GiveUp);
    public static readonly ErrorCode TokenExpired = new("token_expired", ClientAdvice.Reconnect);
    public static readonly ErrorCode Forbidden = new("forbidden", ClientAdvice.DoNotRetry);
    public static readonly ErrorCode RateLimited = new("rate_limited", ClientAdvice.Retry);
    public static readonly ErrorCode InvalidChannel = new("invalid_channel", ClientAdvice.DoNotRetry);
    public static readonly ErrorCode AlreadySubscribed = new("already_subscribed", ClientAdvice.Ignore);
    public static readonly ErrorCode NotSubscribed = new("not_subscribed", ClientAdvice.Ignore);
    public static readonly ErrorCode LimitExceeded = new("limit_exceeded", ClientAdvice.DoNotRetry);
    public static readonly ErrorCode NotFound = new("not_found", ClientAdvice.DoNotRetry);
    public static readonly ErrorCode BinaryNotAllowed = new("binary_not_allowed", ClientAdvice.DoNotRetry);
    public static readonly ErrorCode BadFrame = new("bad_frame", ClientAdvice.Ignore);
    public static readonly ErrorCode Unavailable = new("unavailable", ClientAdvice.Retry);
    public static readonly ErrorCode Internal = new("internal", ClientAdvice.Retry);
    public static readonly ErrorCode Conflict = new("conflict", ClientAdvice.Retry);
    public static readonly ErrorCode InvalidCredentials = new("invalid_credentials", ClientAdvice.GiveUp);
    public static readonly ErrorCode AccountDisabled = new("account_disabled", ClientAdvice.GiveUp);

    /// <summary>Every core code.</summary>
    public static readonly IReadOnlyList<ErrorCode> All =
    [
        BadRequest, UnknownCommand, NotConnected, AlreadyConnected, Unauthorized, TokenExpired, Forbidden, RateLimited,
        InvalidChannel, AlreadySubscribed, NotSubscribed, LimitExceeded, NotFound, BinaryNotAllowed, BadFrame, Unavailable, Internal,
        Conflict, InvalidCredentials, AccountDisabled,
    ];
}

/// <summary>The one catalog: the core's codes and every module's, checked for clashes at startup.</summary>
internal sealed class ErrorCatalog
{
    public ErrorCatalog(IEnumerable<ModuleErrorCodes> registrations)
    {
        var all = new Dictionary<string, ErrorCode>(StringComparer.Ordinal);
        foreach (var code in registrations.SelectMany(r => r.Codes))
        {
            if (all.TryGetValue(code.Name, out var known) && known.Advice != code.Advice)
                throw new InvalidOperationException($"Error code '{code.Name}' is registered twice with different advice ({known.Advice}, {code.Advice}).");
            all[code.Name] = code;
        }
        All = all;
    }

    public IReadOnlyDictionary<string, ErrorCode> All { get; }
}

/// <summary>One module's error codes, as registered.</summary>
internal sealed record ModuleErrorCodes(string Module, IReadOnlyList<ErrorCode> Codes);
