using System.Text.Json;
using Heartline.Core.Auth;
using Heartline.Core.Channels;
using Heartline.Core.Connections;
using Heartline.Core.Presence;
using Heartline.Core.Protocol;

namespace Heartline.Ptt;

/// <summary>Members joining mid-session listen at once; listeners whose connection ends leave their session.</summary>
internal sealed class PttConnectionObserver(FloorControl floors) : IConnectionObserver
{
    public async ValueTask OnConnectedAsync(ClientConnection connection)
    {
        if (await floors.MemberConnectedAsync(connection).ConfigureAwait(false) is { } state)
            connection.Send(FrameWriter.Push("ptt.state", state, PttJsonContext.Default.PttState));
    }

    public void OnDisconnected(ClientConnection connection, string reason) => floors.ConnectionEnded(connection);
}

/// <summary>Audio frames (kind 0x01): only the speaker's connection may send them; the relay forwards them.</summary>
internal sealed class PttMediaHandler(FloorControl floors) : IBinaryFrameHandler
{
    public byte Kind => FloorControl.OpusAudioKind;

    public ValueTask<BinaryFrameResult> HandleAsync(ClientConnection connection, ReadOnlyMemory<byte> frame) =>
        ValueTask.FromResult(floors.OnAudio(connection, frame) switch
        {
            AudioOutcome.Malformed => BinaryFrameResult.Malformed,
            AudioOutcome.Refused => BinaryFrameResult.NotAllowed,
            _ => BinaryFrameResult.Accepted,
        });
}

/// <summary>
/// The speaker's disconnect action: releases the floor when the speaker's connection ends for any reason, in
/// process, after a crash at the next start, or in a cluster on the survivor that found the speaker's node lost.
/// Idempotent: an already-ended session stays as it ended.
/// </summary>
internal sealed class ReleaseFloorAction(FloorControl floors) : IDisconnectActionHandler
{
    public string Kind => FloorControl.ReleaseActionKind;

    public async Task RunAsync(DisconnectActionContext context, CancellationToken cancellationToken)
    {
        using var payload = JsonDocument.Parse(context.Payload);
        var office = payload.RootElement.GetProperty("office").GetString()!;
        var epoch = payload.RootElement.GetProperty("epoch").GetInt64();
        var sessionId = payload.RootElement.GetProperty("session_id").GetString()!;
        var reason = context.Reason switch
        {
            DisconnectReasons.ServerRestart or DisconnectReasons.ServerShutdown => PttEndReasons.ServerRestart,
            DisconnectReasons.NodeLost => PttEndReasons.NodeLost,
            _ => PttEndReasons.Disconnected,
        };
        if (await floors.EndIfCurrentAsync(office, epoch, reason, cancellationToken).ConfigureAwait(false)) return;
        // Not current here: it ended already, or this is a restart and only the database remembers it.
        await floors.EndStoredSessionAsync(sessionId, reason, cancellationToken).ConfigureAwait(false);
    }
}

/// <summary><c>ptt:{office}</c>: members and observers of the office listen; only the server publishes.</summary>
internal sealed class PttChannelPolicy : IChannelPolicy
{
    public string Namespace => "ptt";

    public ErrorCode? CanSubscribe(Principal principal, string path) => principal.CanObserve(path) ? null : ErrorCodes.Forbidden;

    public ErrorCode? CanPublish(Principal principal, string path) => ErrorCodes.Forbidden;
}
