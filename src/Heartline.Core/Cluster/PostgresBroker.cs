using System.Security.Cryptography;
using Dapper;
using Heartline.Core.Channels;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Heartline.Core.Cluster;

/// <summary>One publication on its way into the log (times are Unix milliseconds).</summary>
internal readonly record struct PendingPublication(string Channel, byte[] Data, long Time);

/// <summary>
/// The channel bus of a cluster, after Centrifugo's PostgreSQL broker: a publish takes the channel's next offset from
/// its <c>channel_heads</c> row (the row lock serializes publishers of a channel, so offsets commit in order) and
/// inserts the publication into <c>channel_publications</c> in the same statement; <c>NOTIFY</c> carries only
/// <c>{offset} {channel}</c> as a wake-up. Each node reads what its subscribers need from the table, in order, and
/// the hub fans it out (serialized once per node). History and recovery read the same table, so any node recovers.
/// </summary>
internal sealed partial class PostgresBroker(
    ClusterDatabase database, IOptions<ClusterOptions> options, IOptions<ChannelOptions> channels, TimeProvider time,
    ILogger<PostgresBroker> logger)
    : BackgroundService, IBroker, IClusterNotificationHandler
{
    /// <summary>Rows read per channel per round trip; a channel that filled it is read again at once.</summary>
    private const int ReadLimit = 512;

    private ChannelHub? _hub;

    public void Attach(ChannelHub hub) => _hub = hub;

    public string NotifyChannel => database.BusChannel;

    public void OnNotification(string payload)
    {
        var space = payload.IndexOf(' ', StringComparison.Ordinal);
        if (space <= 0 || !long.TryParse(payload.AsSpan(0, space), out var offset)) return;
        _hub?.Wake(payload[(space + 1)..], offset);
    }

    public void OnListening() => _hub?.WakeAll();

    public async ValueTask<StreamPosition> HeadAsync(string channel, CancellationToken cancellationToken)
    {
        await using var connection = await database.DataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        // A head created by a transaction still in flight is invisible to the SELECT half: look again.
        for (var attempt = 0; attempt < 5; attempt++)
        {
            var heads = await connection.QueryAsync<(string Epoch, long Offset)>(new CommandDefinition(
                """
                WITH created AS (
                    INSERT INTO channel_heads (channel, epoch, last_offset, updated_at) VALUES (@Channel, @Epoch, 0, @Time)
                    ON CONFLICT (channel) DO NOTHING
                    RETURNING epoch, last_offset)
                SELECT epoch, last_offset FROM created
                UNION ALL
                SELECT epoch, last_offset FROM channel_heads WHERE channel = @Channel
                LIMIT 1
                """, new { Channel = channel, Epoch = NewEpoch(), Time = NowMs() }, cancellationToken: cancellationToken)).ConfigureAwait(false);
            foreach (var (epoch, offset) in heads) return new StreamPosition(offset, epoch);
        }
        throw new InvalidOperationException($"The head of channel {channel} could not be read.");
    }

    public async ValueTask<IReadOnlyList<LoggedPublication>> ReadAsync(string channel, long after, long upTo, CancellationToken cancellationToken)
    {
        await using var connection = await database.DataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        var rows = await connection.QueryAsync<(long Offset, long Time, byte[] Data)>(new CommandDefinition(
            """
            SELECT pub_offset, time, data FROM channel_publications
            WHERE channel = @Channel AND pub_offset > @After AND pub_offset <= @UpTo
            ORDER BY pub_offset LIMIT 10000
            """, new { Channel = channel, After = after, UpTo = upTo }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return [.. rows.Select(r => new LoggedPublication(r.Offset, r.Time, r.Data))];
    }

    /// <summary>Starts publishing inside a caller's transaction (floor changes publish with the change itself).</summary>
    public BusTransaction Begin(NpgsqlConnection connection, NpgsqlTransaction transaction) => new(this, connection, transaction);

    /// <summary>
    /// Writes <paramref name="publications"/> in one round trip on <paramref name="connection"/> (inside
    /// <paramref name="transaction"/> when given, else as one implicit transaction) and returns their positions.
    /// </summary>
    internal async Task<StreamPosition[]> WriteAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction,
        IReadOnlyList<PendingPublication> publications, CancellationToken cancellationToken)
    {
        await using var batch = new NpgsqlBatch(connection, transaction);
        foreach (var publication in publications)
        {
            batch.BatchCommands.Add(new NpgsqlBatchCommand(AppendSql)
            {
                Parameters =
                {
                    new() { Value = publication.Channel },
                    new() { Value = NewEpoch() },
                    new() { Value = publication.Time },
                    new() { Value = publication.Data },
                    new() { Value = database.BusChannel },
                },
            });
        }
        var positions = new StreamPosition[publications.Count];
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        for (var i = 0; i < positions.Length; i++)
        {
            if (i > 0) await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
            await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            positions[i] = new StreamPosition(reader.GetInt64(1), reader.GetString(0));
        }
        return positions;
    }

    /// <summary>A publication of this node committed: its subscribers here get it without a read.</summary>
    internal void Committed(PendingPublication publication, long offset) =>
        _hub?.DeliverCommitted(publication.Channel, new LoggedPublication(offset, publication.Time, publication.Data));

    internal long NowMs() => time.GetUtcNow().ToUnixTimeMilliseconds();

    // One statement: the head row's lock is held to commit, the publication row goes in with it, and pg_notify is sent
    // on commit. Parameters: $1 channel, $2 epoch of a new head, $3 time, $4 data, $5 NOTIFY channel.
    private const string AppendSql =
        """
        WITH head AS (
            INSERT INTO channel_heads AS h (channel, epoch, last_offset, updated_at) VALUES ($1, $2, 1, $3)
            ON CONFLICT (channel) DO UPDATE SET last_offset = h.last_offset + 1, updated_at = EXCLUDED.updated_at
            RETURNING h.epoch, h.last_offset),
        stored AS (
            INSERT INTO channel_publications (channel, pub_offset, time, data) SELECT $1, last_offset, $3, $4 FROM head)
        SELECT head.epoch, head.last_offset FROM head, LATERAL (SELECT pg_notify($5, head.last_offset::text || ' ' || $1)) AS woken
        """;

    private static string NewEpoch() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6));

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(RunOutboxAsync(), RunDeliveriesAsync(stoppingToken));

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        // Publications queued while connections closed still go out; then the delivery loop stops.
        _outbox.Writer.TryComplete();
        try { await (_outboxLoop ?? Task.CompletedTask).WaitAsync(cancellationToken).ConfigureAwait(false); }
        catch (OperationCanceledException) { }
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
    }

    private static partial class Log
    {
        [LoggerMessage(5101, LogLevel.Error, "{Count} publications could not be written to the shared log and were dropped.")]
        public static partial void WriteFailed(ILogger logger, Exception exception, int count);

        [LoggerMessage(5102, LogLevel.Warning, "Reading the shared log for {Count} channels failed; retrying.")]
        public static partial void ReadFailed(ILogger logger, Exception exception, int count);

        [LoggerMessage(5103, LogLevel.Error, "The publication queue is full; a publication to {Channel} was dropped.")]
        public static partial void OutboxFull(ILogger logger, string channel);

        [LoggerMessage(5104, LogLevel.Warning, "Opening a connection to write publications failed for a passing reason; retry {Attempt} follows.")]
        public static partial void OpenRetrying(ILogger logger, Exception exception, int attempt);
    }
}
