using System.Text.Json;
using Heartline.Client.Internal;

namespace Heartline.Client;

/// <summary>
/// A channel subscription. It delivers each offset at most once and in order, across reconnects: after a reconnect
/// the client subscribes again with the last processed position, delivers the recovered publications before live
/// ones, and raises <see cref="Resubscribed"/>.
/// </summary>
public sealed class Subscription
{
    private readonly HeartlineClient _client;
    private long _offset;
    private string? _epoch;
    private volatile bool _active = true;

    internal Subscription(HeartlineClient client, string channel, StreamPosition? since)
    {
        _client = client;
        Channel = channel;
        if (since is { } position)
        {
            _offset = position.Offset;
            _epoch = position.Epoch;
        }
    }

    /// <summary>The channel name.</summary>
    public string Channel { get; }

    /// <summary>The offset of the last publication delivered, or the channel's offset when the subscription (re)started without recovery.</summary>
    public long Offset => Volatile.Read(ref _offset);

    /// <summary>The channel's epoch as last seen; empty before the first subscribe reply.</summary>
    public string Epoch => Volatile.Read(ref _epoch) ?? "";

    /// <summary>Whether the last subscribe recovered every missed publication (see <see cref="ResubscribedEventArgs.Recovered"/>).</summary>
    public bool Recovered { get; private set; }

    /// <summary>False after <see cref="UnsubscribeAsync"/> or when the server refused to renew it.</summary>
    public bool IsActive => _active;

    /// <summary>A publication, raised once per offset, in offset order.</summary>
    public event EventHandler<PublicationEventArgs>? Publication;

    /// <summary>The subscription was renewed after a reconnect (or refused; see <see cref="ResubscribedEventArgs.Error"/>).</summary>
    public event EventHandler<ResubscribedEventArgs>? Resubscribed;

    /// <summary>Ends the subscription; see <see cref="HeartlineClient.UnsubscribeAsync"/>.</summary>
    public Task UnsubscribeAsync(CancellationToken cancellationToken = default) => _client.UnsubscribeAsync(Channel, cancellationToken);

    /// <summary>The connection this subscription is currently registered on.</summary>
    internal Connection? Connection { get; private set; }

    /// <summary>Where to resume: null before anything was known about the channel.</summary>
    internal StreamPosition? Position => Volatile.Read(ref _epoch) is { } epoch ? new StreamPosition(Offset, epoch) : null;

    internal void Deactivate() => _active = false;

    /// <summary>Applies a <c>subscribe</c> result on the receive loop: delivers the recovered publications, then moves the position.</summary>
    internal void Apply(Connection? connection, JsonElement result, bool renewed)
    {
        var epoch = result.GetProperty("epoch").GetString()!;
        var offset = result.GetProperty("offset").GetInt64();
        var recovered = result.GetProperty("recovered").GetBoolean();
        Connection = connection;
        Recovered = recovered;
        if (recovered && result.TryGetProperty("publications", out var publications))
        {
            foreach (var publication in publications.EnumerateArray()) OnLive(publication);
        }
        if (!recovered || _epoch != epoch || offset > _offset)
        {
            // Without recovery the protocol says to continue from the reply's position; with it the position is already there.
            Volatile.Write(ref _epoch, epoch);
            Volatile.Write(ref _offset, offset);
        }
        if (renewed)
            HeartlineClient.RaiseEvent(this, Resubscribed, new ResubscribedEventArgs(recovered, new StreamPosition(offset, epoch), null));
    }

    /// <summary>Delivers a publication unless its offset was delivered already.</summary>
    internal void OnLive(JsonElement publication)
    {
        if (!_active) return;
        var offset = publication.GetProperty("offset").GetInt64();
        var epoch = publication.GetProperty("epoch").GetString()!;
        if (epoch == _epoch && offset <= _offset) return;
        Volatile.Write(ref _epoch, epoch);
        Volatile.Write(ref _offset, offset);
        var time = publication.TryGetProperty("time", out var t) && t.TryGetInt64(out var ms) ? ms : 0;
        var data = publication.TryGetProperty("data", out var d) ? d : default;
        HeartlineClient.RaiseEvent(this, Publication, new PublicationEventArgs(Channel, offset, epoch, time, data));
    }

    internal void Fail(HeartlineException error)
    {
        _active = false;
        HeartlineClient.RaiseEvent(this, Resubscribed, new ResubscribedEventArgs(false, new StreamPosition(Offset, Epoch), error));
    }
}
