using System.Data.Common;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Heartline.Core.Leases;

/// <summary>Who holds a lease: a connection of a node, since a time, until a time it keeps extending, with a module's data.</summary>
public sealed record LeaseHolder(string NodeId, string ConnectionId, string UserId, long GrantedAt, long Until, string Data);

/// <summary>
/// A lease as read under its lock. <see cref="Epoch"/> is the fencing token of the last grant: it only grows, also
/// across restarts (a grant takes at least the clock in milliseconds). <see cref="HolderNodeAlive"/> is false when the
/// holder's node stopped heartbeating (a cluster only).
/// </summary>
public sealed record LeaseState(string Key, long Epoch, LeaseHolder? Holder, bool HolderNodeAlive)
{
    /// <summary>
    /// Held by a holder that stopped acting: its node was declared lost or stopped heartbeating, or its lease ran out
    /// and (in a cluster) a whole node timeout more went by without the holder's node ending it. Anyone may end it.
    /// </summary>
    public bool Abandoned { get; init; }
}

/// <summary>A change of a lease as other nodes learn of it: the epoch, the holder after it (null: released) and its note.</summary>
public sealed record LeaseChange(string Key, long Epoch, LeaseHolder? Holder, string? Note);

/// <summary>Extends a lease held at <paramref name="Epoch"/> until <paramref name="Until"/> (Unix ms).</summary>
public readonly record struct LeaseRenewal(string Key, long Epoch, long Until);

/// <summary>
/// One decision about one lease, made while the lease is locked: keep it as it is, grant it to a new holder at
/// <see cref="NextEpoch"/>, or release it; and the publications and writes that go with the decision. They take effect
/// together: in a cluster in one PostgreSQL transaction (publications in commit order), on one node under the lease's
/// lock (publications delivered in order, writes queued in order behind it).
/// </summary>
public sealed class LeaseUpdate
{
    private List<(string Channel, byte[] Data)>? _publications;
    private List<Func<DbConnection, DbTransaction, Task>>? _writes;

    internal LeaseUpdate(LeaseState current, long now, string nodeId)
    {
        Current = current;
        Now = now;
        NodeId = nodeId;
        NextEpoch = Math.Max(current.Epoch + 1, now);
    }

    /// <summary>The lease as it is now, locked.</summary>
    public LeaseState Current { get; }

    /// <summary>The time of the decision (Unix ms, the injected clock).</summary>
    public long Now { get; }

    /// <summary>The epoch a grant gets.</summary>
    public long NextEpoch { get; }

    internal string NodeId { get; }

    internal LeaseHolder? Granted { get; private set; }

    internal bool Released { get; private set; }

    /// <summary>A short note for the other nodes' watchers (push-to-talk sends the end reason).</summary>
    public string? Note { get; set; }

    internal IReadOnlyList<(string Channel, byte[] Data)> Publications => _publications ?? [];

    internal IReadOnlyList<Func<DbConnection, DbTransaction, Task>> Writes => _writes ?? [];

    internal bool Changed => Granted is not null || Released;

    internal bool Forgotten { get; private set; }

    /// <summary>Grants the lease to <paramref name="connectionId"/> of this node at <see cref="NextEpoch"/>, until <paramref name="until"/>.</summary>
    public void Grant(string connectionId, string userId, long until, string data)
    {
        Granted = new LeaseHolder(NodeId, connectionId, userId, Now, until, data);
        Released = false;
    }

    /// <summary>Frees the lease (its epoch stays).</summary>
    public void Release()
    {
        Granted = null;
        Released = true;
    }

    /// <summary>
    /// Frees the lease of a key that is rarely used again (a call's), so that one node may forget it: its epoch then
    /// starts again from the clock, which still makes a later grant's epoch larger. A cluster keeps the row.
    /// </summary>
    public void ReleaseAndForget()
    {
        Release();
        Forgotten = true;
    }

    /// <summary>Publishes with the decision, in order with its other publications.</summary>
    public void Publish<T>(string channel, T data, JsonTypeInfo<T> info) =>
        (_publications ??= []).Add((channel, JsonSerializer.SerializeToUtf8Bytes(data, info)));

    /// <summary>Writes with the decision: in its transaction in a cluster, in order right behind it on one node.</summary>
    public void Write(Func<DbConnection, DbTransaction, Task> write) => (_writes ??= []).Add(write);
}

/// <summary>Learns of lease changes that other nodes made (and may see this node's own again: apply them idempotently).</summary>
public interface ILeaseWatcher
{
    /// <summary>Called on the listener's loop: quick, and never throws.</summary>
    void OnChanged(LeaseChange change);

    /// <summary>Changes may have been missed (the listener reconnected): read the leases again.</summary>
    void OnResynchronize();
}

/// <summary>
/// Leases per key with fencing epochs, the building block of "one holder at a time" (push-to-talk's floor, a call
/// between two parties): an in-process lock on one node, a PostgreSQL row lock in a cluster. The decision code runs once,
/// in <see cref="UpdateAsync{T}"/>, the same way in both.
/// </summary>
public interface ILeases
{
    /// <summary>
    /// Runs <paramref name="decide"/> with the lease of <paramref name="key"/> locked and applies what it asked for
    /// (<see cref="LeaseUpdate"/>) atomically; returns its result. <paramref name="decide"/> must be quick and synchronous.
    /// </summary>
    ValueTask<T> UpdateAsync<T>(string key, Func<LeaseUpdate, T> decide, CancellationToken cancellationToken = default);

    /// <summary>The lease as it is now (epoch 0 and no holder when it was never granted).</summary>
    ValueTask<LeaseState> ReadAsync(string key, CancellationToken cancellationToken = default);

    /// <summary>The held leases whose key starts with <paramref name="keyPrefix"/>.</summary>
    ValueTask<IReadOnlyList<LeaseState>> ListHeldAsync(string keyPrefix, CancellationToken cancellationToken = default);

    /// <summary>Extends the leases still held at the given epochs; returns the keys that were not (lost meanwhile).</summary>
    ValueTask<IReadOnlyList<string>> RenewAsync(IReadOnlyList<LeaseRenewal> renewals, CancellationToken cancellationToken = default);

    /// <summary>Tells <paramref name="watcher"/> of other nodes' changes to leases whose key starts with <paramref name="keyPrefix"/>.</summary>
    void Watch(string keyPrefix, ILeaseWatcher watcher);
}
