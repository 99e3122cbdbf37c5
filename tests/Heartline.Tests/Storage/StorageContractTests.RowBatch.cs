using Dapper;
using Heartline.Core.Storage;

namespace Heartline.Tests.Storage;

public abstract partial class StorageContractTests
{
    [Fact]
    public async Task RowBatch_ManyRowsWithNullsAndConflicts_WritesEachOnceInOneTransaction()
    {
        await Database.WriteAsync((c, tx) => c.ExecuteAsync(
            "CREATE TABLE row_batch_test (id text PRIMARY KEY, n bigint NOT NULL, note text NULL)", transaction: tx)).WaitAsync(Timeout);
        // 300 rows, every tenth without a note, and the last row a duplicate of the first (ignored by ON CONFLICT).
        var rows = Enumerable.Range(0, 300).Select(i => (Id: $"r{i}", N: (long)i * 1_000_000_007, Note: i % 10 == 0 ? null : $"메모 {i}"))
            .Append((Id: "r0", N: 42L, Note: "duplicate")).ToList();

        var affected = await Database.WriteAsync((c, tx) => RowBatch.ExecuteAsync(c, tx,
            "INSERT INTO row_batch_test (id, n, note) VALUES (@Id, @N, @Note) ON CONFLICT (id) DO NOTHING",
            ["Id", "N", "Note"], rows, static (r, i) => i switch { 0 => r.Id, 1 => r.N, _ => r.Note })).WaitAsync(Timeout);

        Assert.Equal(300, affected);
        var stored = (await Database.ReadAsync(c => c.QueryAsync<(string Id, long N, string? Note)>(
            "SELECT id, n, note FROM row_batch_test")).WaitAsync(Timeout)).ToDictionary(r => r.Id);
        Assert.Equal(300, stored.Count);
        Assert.Equal((0L, (string?)null), (stored["r0"].N, stored["r0"].Note));
        Assert.Equal((299L * 1_000_000_007, "메모 299"), (stored["r299"].N, stored["r299"].Note));
        Assert.Equal(30, stored.Values.Count(r => r.Note is null));
    }

    [Fact]
    public async Task RowBatch_FailingRow_RollsBackTheWholeTransaction()
    {
        await Database.WriteAsync((c, tx) => c.ExecuteAsync(
            "CREATE TABLE row_batch_strict (id text PRIMARY KEY)", transaction: tx)).WaitAsync(Timeout);
        string[] rows = ["a", "b", "a"];

        await Assert.ThrowsAnyAsync<System.Data.Common.DbException>(() => Database.WriteAsync((c, tx) => RowBatch.ExecuteAsync(c, tx,
            "INSERT INTO row_batch_strict (id) VALUES (@Id)", ["Id"], rows, static (r, _) => r)).WaitAsync(Timeout));

        Assert.Equal(0, await CountAsync("row_batch_strict"));
    }
}
