using System.Threading.Channels;
using Dapper;
using Heartline.Core.Channels;

namespace Heartline.Core.Cluster;

internal sealed partial class PostgresBroker
{
    private const int ChannelsPerRead = 256;
    private static readonly TimeSpan ReadRetryDelay = TimeSpan.FromMilliseconds(500);

    private readonly Channel<ChannelState> _deliveries = Channel.CreateUnbounded<ChannelState>(new UnboundedChannelOptions { SingleReader = true });

    public void RequestDelivery(ChannelState state)
    {
        // Wake-ups for a channel already queued coalesce into that one read.
        if (Interlocked.Exchange(ref state.DeliveryQueued, 1) == 0) _deliveries.Writer.TryWrite(state);
    }

    /// <summary>
    /// One reader per node: the channels woken since the last round are read together (one query), each from the
    /// offset it has delivered, and handed to the hub in order.
    /// </summary>
    private async Task RunDeliveriesAsync(CancellationToken stoppingToken)
    {
        var reader = _deliveries.Reader;
        var states = new List<ChannelState>(ChannelsPerRead);
        var names = new List<string>(ChannelsPerRead);
        var afters = new List<long>(ChannelsPerRead);
        try
        {
            while (await reader.WaitToReadAsync(stoppingToken).ConfigureAwait(false))
            {
                states.Clear();
                names.Clear();
                afters.Clear();
                while (states.Count < ChannelsPerRead && reader.TryRead(out var state))
                {
                    // Cleared before reading, so a wake-up that arrives during the read queues another round.
                    Volatile.Write(ref state.DeliveryQueued, 0);
                    if (!ChannelHub.TryGetDeliveredOffset(state, out var after)) continue;
                    states.Add(state);
                    names.Add(state.Name);
                    afters.Add(after);
                }
                if (states.Count == 0) continue;
                try
                {
                    await ReadAndDeliverAsync(states, names, afters, stoppingToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
                {
                    Log.ReadFailed(logger, ex, states.Count);
                    await Task.Delay(ReadRetryDelay, time, stoppingToken).ConfigureAwait(false);
                    foreach (var state in states) RequestDelivery(state);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task ReadAndDeliverAsync(List<ChannelState> states, List<string> names, List<long> afters, CancellationToken cancellationToken)
    {
        await using var connection = await database.DataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        var rows = await connection.QueryAsync<(long Index, long Offset, long Time, byte[] Data)>(new CommandDefinition(
            """
            SELECT w.i, p.pub_offset, p.time, p.data
            FROM unnest(@Names::text[], @Afters::bigint[]) WITH ORDINALITY AS w(channel, after, i)
            CROSS JOIN LATERAL (
                SELECT pub_offset, time, data FROM channel_publications c
                WHERE c.channel = w.channel AND c.pub_offset > w.after
                ORDER BY pub_offset LIMIT @Limit) p
            ORDER BY w.i, p.pub_offset
            """, new { Names = names.ToArray(), Afters = afters.ToArray(), Limit = ReadLimit },
            cancellationToken: cancellationToken)).ConfigureAwait(false);
        var perChannel = new List<LoggedPublication>[states.Count];
        foreach (var row in rows)
            (perChannel[row.Index - 1] ??= []).Add(new LoggedPublication(row.Offset, row.Time, row.Data));
        for (var i = 0; i < states.Count; i++)
        {
            if (perChannel[i] is not { } publications) continue;
            _hub?.Deliver(states[i], publications);
            if (publications.Count == ReadLimit) RequestDelivery(states[i]);
        }
    }
}
