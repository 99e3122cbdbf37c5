using System.Text;
using System.Text.Json;
using Heartline.Core.Auth;
using Heartline.Core.Cluster;
using Heartline.Core.Events;
using Heartline.Core.Protocol;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Heartline.Core.Connections;

/// <summary>
/// <c>POST /api/admin/users/{user}/disconnect</c>: an operator closes every connection of a user (a device stuck in a
/// session, a driver who left the company) with <see cref="CloseCodes.DisconnectedByOperator"/>, after which clients do
/// not reconnect by themselves. Recorded as <c>USER_DISCONNECTED</c> (scope <c>admin</c>) with who did it.
/// </summary>
internal static class ConnectionsAdminApi
{
    internal static IEndpointRouteBuilder MapConnectionsAdminApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/admin/users/{user}/disconnect", DisconnectUser)
            .WithName("DisconnectUser")
            .WithSummary("Closes every connection of a user on every node (admin only); recorded with who did it.")
            .RequireAuthorization(HeartlinePolicies.Administrator);
        return app;
    }

    private static Results<Ok<DisconnectResult>, ProblemHttpResult> DisconnectUser(HttpContext http, OperatorDisconnects disconnects, string user)
    {
        if (user.Length is 0 or > 256) return HttpProblems.BadRequest("user: 1 to 256 characters");
        return TypedResults.Ok(new DisconnectResult(disconnects.Disconnect(user, http.GetPrincipal())));
    }
}

/// <summary>How many of the user's connections this node closed (other nodes close theirs as the message reaches them).</summary>
internal sealed record DisconnectResult(int Closed);

/// <summary>Closes a user's connections here and tells the other nodes to close theirs (peer message 0xF1).</summary>
internal sealed class OperatorDisconnects(ConnectionRegistry registry, IPeerRelay peers, IEventLog events, TimeProvider time) : IPeerMessageHandler
{
    /// <summary>Peer message kinds from 0xF0 up are the core's.</summary>
    public const byte MessageKind = 0xF1;

    public byte Kind => MessageKind;

    public int Disconnect(string userId, Principal by)
    {
        var closed = CloseHere(userId);
        if (peers.HasPeers) peers.Broadcast(MessageKind, Encoding.UTF8.GetBytes(userId));
        var metadata = new Dictionary<string, string> { ["by"] = by.SubjectId, ["by_name"] = by.Name, ["closed_here"] = closed.ToString(System.Globalization.CultureInfo.InvariantCulture) };
        events.Enqueue(new EventRecord(0, "USER_DISCONNECTED", "admin", null, userId, time.GetUtcNow().ToUnixTimeMilliseconds(),
            JsonSerializer.Serialize(metadata, HeartlineJsonContext.Default.DictionaryStringString)));
        return closed;
    }

    public void OnMessage(ReadOnlyMemory<byte> payload) => CloseHere(Encoding.UTF8.GetString(payload.Span));

    private int CloseHere(string userId)
    {
        var closed = 0;
        foreach (var connection in registry.All)
        {
            if (connection.Principal?.SubjectId != userId) continue;
            connection.Close(CloseCodes.DisconnectedByOperator, "disconnected by an operator");
            closed++;
        }
        return closed;
    }
}
