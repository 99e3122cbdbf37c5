using Heartline.Core.Connections;
using Heartline.Core.Protocol;

namespace Heartline.Core.Auth;

/// <summary>
/// <c>refresh {token}</c>: a fresh token for the same principal (subject, kind, tenant, roles and claims) extends the
/// connection's life without dropping the socket; the connection then closes with <c>4005</c> when the new token
/// expires instead. A token for anyone else is refused and changes nothing.
/// </summary>
internal sealed class RefreshCommand(TokenValidator tokens, TimeProvider time) : ICommandHandler
{
    public string Name => "refresh";

    public async ValueTask HandleAsync(CommandContext context)
    {
        var args = context.ReadArgs(HeartlineJsonContext.Default.RefreshArgs);
        if (args is null) return;
        var validation = await tokens.ValidateAsync(args.Token).ConfigureAwait(false);
        if (validation.Principal is not { } fresh)
        {
            context.Error(validation.Error!.Value, validation.Error == ErrorCodes.TokenExpired ? "token expired" : "invalid token");
            return;
        }
        var current = context.Principal;
        if (!SamePrincipal(current, fresh))
        {
            context.Error(ErrorCodes.BadRequest, "a refreshed token must name the same principal (subject, kind, tenant, roles, claims)");
            return;
        }
        context.Connection.Refresh(fresh);
        context.Connection.ExpireAfter(tokens.ValidUntil(fresh) - time.GetUtcNow());
        context.Reply(new RefreshResult(fresh.ExpiresAt.ToUnixTimeMilliseconds()), HeartlineJsonContext.Default.RefreshResult);
    }

    private static bool SamePrincipal(Principal a, Principal b) =>
        a.SubjectId == b.SubjectId && a.Kind == b.Kind && a.Tenant == b.Tenant && a.Roles.SequenceEqual(b.Roles)
        && a.Claims.Count == b.Claims.Count && a.Claims.All(c => b.Claims.TryGetValue(c.Key, out var v) && v == c.Value);
}
