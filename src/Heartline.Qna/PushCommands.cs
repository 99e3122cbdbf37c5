using Heartline.Core.Connections;
using Heartline.Core.Protocol;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;

namespace Heartline.Qna;

/// <summary>
/// <c>qna.push_subscribe {endpoint, p256dh, auth}</c>: registers the browser's push subscription (what
/// <c>PushManager.subscribe</c> returned), so notifications reach the user while no connection is open.
/// </summary>
internal sealed class PushSubscribeCommand(QnaStore store, QnaGuard guard, TimeProvider time, IOptions<WebPushOptions> options) : ICommandHandler
{
    public string Name => "qna.push_subscribe";

    public async ValueTask HandleAsync(CommandContext context)
    {
        if (!await guard.AllowAsync(context).ConfigureAwait(false) || context.ReadArgs(QnaJson.Default.PushSubscribeArgs) is not { } args) return;
        var o = options.Value;
        if (!o.Enabled)
        {
            context.Error(ErrorCodes.BadRequest, "Web Push is turned off on this server (Qna:WebPush:Enabled)");
            return;
        }
        if (EndpointProblem(args.Endpoint, o) is { } problem)
        {
            context.Error(ErrorCodes.BadRequest, problem);
            return;
        }
        if (KeyLength(args.P256dh) != 65 || KeyLength(args.Auth) != 16)
        {
            context.Error(ErrorCodes.BadRequest, "p256dh (65 bytes) and auth (16 bytes) are the subscription's keys, base64url");
            return;
        }
        var row = new PushSubscriptionRow(args.Endpoint!, context.Principal.SubjectId, args.P256dh!, args.Auth!);
        if (!await store.AddPushSubscriptionAsync(row, o.MaxSubscriptionsPerUser, time.GetUtcNow().ToUnixTimeMilliseconds(), context.Connection.Aborted)
                .ConfigureAwait(false))
        {
            context.Error(ErrorCodes.BadRequest, $"at most {o.MaxSubscriptionsPerUser} push subscriptions per user: remove one first");
            return;
        }
        context.ReplyEmpty();
    }

    /// <summary>An https URL (http only when allowed) of an allowed push service host, at most 1,000 characters.</summary>
    internal static string? EndpointProblem(string? endpoint, WebPushOptions options)
    {
        if (endpoint is not { Length: > 0 and <= 1000 } || !Uri.TryCreate(endpoint, UriKind.Absolute, out var uri))
            return "endpoint is the subscription's URL";
        if (uri.Scheme != Uri.UriSchemeHttps && !(options.AllowInsecureEndpoints && uri.Scheme == Uri.UriSchemeHttp))
            return "endpoint must be https";
        var host = uri.IdnHost;
        var allowed = options.AllowedHosts.Any(a => a.StartsWith("*.", StringComparison.Ordinal)
            ? host.EndsWith(a[1..], StringComparison.OrdinalIgnoreCase)
            : string.Equals(host, a, StringComparison.OrdinalIgnoreCase));
        return allowed ? null : $"endpoint host {host} is not a push service this server sends to (Qna:WebPush:AllowedHosts)";
    }

    private static int KeyLength(string? value)
    {
        if (value is not { Length: > 0 and <= 200 }) return -1;
        try
        {
            return WebEncoders.Base64UrlDecode(value.TrimEnd('=')).Length;
        }
        catch (FormatException)
        {
            return -1;
        }
    }
}

/// <summary><c>qna.push_unsubscribe {endpoint}</c>: forgets one of the user's push subscriptions.</summary>
internal sealed class PushUnsubscribeCommand(QnaStore store, QnaGuard guard) : ICommandHandler
{
    public string Name => "qna.push_unsubscribe";

    public async ValueTask HandleAsync(CommandContext context)
    {
        if (!await guard.AllowAsync(context).ConfigureAwait(false) || context.ReadArgs(QnaJson.Default.PushSubscribeArgs) is not { } args) return;
        if (args.Endpoint is not { Length: > 0 and <= 1000 } endpoint)
        {
            context.Error(ErrorCodes.BadRequest, "endpoint is required");
            return;
        }
        var removed = await store.RemovePushSubscriptionAsync(endpoint, context.Principal.SubjectId, context.Connection.Aborted).ConfigureAwait(false);
        context.Reply(new CountReply(removed), QnaJson.Default.CountReply);
    }
}
