using System.Data.Common;

namespace Heartline.Core.Storage;

/// <summary>
/// The one database of a node. Stores run their (portable) SQL through it; each provider decides how writes are
/// serialized (SQLite: one writer connection; PostgreSQL: the pool).
/// </summary>
public interface IHeartlineDatabase
{
    /// <summary><c>sqlite</c> or <c>postgres</c>, for the few statements that differ.</summary>
    string Provider { get; }

    /// <summary>Runs <paramref name="work"/> in one committed transaction.</summary>
    Task<T> WriteAsync<T>(Func<DbConnection, DbTransaction, Task<T>> work, CancellationToken cancellationToken = default);

    /// <summary>Runs read-only <paramref name="work"/> on a connection of its own.</summary>
    Task<T> ReadAsync<T>(Func<DbConnection, Task<T>> work, CancellationToken cancellationToken = default);

    /// <summary>True when the database answers a trivial query.</summary>
    Task<bool> PingAsync(CancellationToken cancellationToken = default);
}
