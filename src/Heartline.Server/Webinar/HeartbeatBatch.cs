using System.Data.Common;
using Dapper;

namespace Heartline.Server.Webinar;

/// <summary>
/// One group-commit transaction of heartbeats: webinars read once, and the hot statements as commands created once and
/// re-executed with new parameter values (SQLite keeps the compiled statement; Dapper would build a new command and
/// compile the SQL for every heartbeat). Raw ADO.NET here is deliberate: this is the path measured in pings per second.
/// </summary>
internal sealed class HeartbeatBatch(DbConnection connection, DbTransaction transaction, bool postgres) : IAsyncDisposable
{
    private readonly Dictionary<string, WebinarRecord?> _webinars = new(StringComparer.Ordinal);
    private readonly Dictionary<string, DbCommand> _commands = new(StringComparer.Ordinal);

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
        if (_commands.TryGetValue(sql, out var command)) return command;
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
        foreach (var command in _commands.Values) await command.DisposeAsync().ConfigureAwait(false);
        _commands.Clear();
    }
}
