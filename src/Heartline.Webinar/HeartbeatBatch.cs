using System.Data.Common;

namespace Heartline.Webinar;

/// <summary>
/// One group-commit transaction of heartbeats: webinars read once, and the hot statements as commands created once and
/// re-executed with new parameter values (SQLite keeps the compiled statement; Dapper would build a new command and
/// compile the SQL for every heartbeat). Raw ADO.NET here is deliberate: this is the path measured in pings per second.
/// With <paramref name="kept"/> (SQLite's one long-lived writer connection) the commands outlive the batch too, so a
/// statement is compiled once per process rather than once per batch.
/// </summary>
internal sealed class HeartbeatBatch(DbConnection connection, DbTransaction transaction, bool postgres,
    KeptCommands? kept = null) : IAsyncDisposable
{
    private readonly Dictionary<string, WebinarRecord?> _webinars = new(StringComparer.Ordinal);
    private readonly Dictionary<string, DbCommand> _commands = kept?.For(connection) ?? new(StringComparer.Ordinal);

    public DbConnection Connection => connection;

    public DbTransaction Transaction => transaction;

    public bool IsPostgres => postgres;

    public async Task<WebinarRecord?> WebinarAsync(string id)
    {
        if (!_webinars.TryGetValue(id, out var webinar))
            _webinars[id] = webinar = await SqlWebinarStore.SelectWebinarAsync(connection, transaction, id, CancellationToken.None).ConfigureAwait(false);
        return webinar;
    }

    /// <summary>The command for <paramref name="sql"/>, made on first use with one parameter per name.</summary>
    public DbCommand Command(string sql, params ReadOnlySpan<string> parameters)
    {
        if (_commands.TryGetValue(sql, out var command))
        {
            command.Transaction = transaction;
            return command;
        }
        command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        foreach (var name in parameters)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = name;
            command.Parameters.Add(parameter);
        }
        return _commands[sql] = command;
    }

    public static void Set(DbCommand command, int index, object? value) => command.Parameters[index].Value = value ?? DBNull.Value;

    public async ValueTask DisposeAsync()
    {
        if (kept is not null) return;
        foreach (var command in _commands.Values) await command.DisposeAsync().ConfigureAwait(false);
        _commands.Clear();
    }
}

/// <summary>
/// Heartbeat commands kept across batches for one connection. Only for a connection used by one batch at a time (the
/// SQLite writer, behind its lock); a different connection (the writer reopened) starts a new set.
/// </summary>
internal sealed class KeptCommands : IDisposable
{
    private readonly Dictionary<string, DbCommand> _commands = new(StringComparer.Ordinal);
    private DbConnection? _connection;

    public Dictionary<string, DbCommand> For(DbConnection connection)
    {
        if (!ReferenceEquals(connection, _connection))
        {
            Dispose();
            _connection = connection;
        }
        return _commands;
    }

    public void Dispose()
    {
        foreach (var command in _commands.Values) command.Dispose();
        _commands.Clear();
        _connection = null;
    }
}
