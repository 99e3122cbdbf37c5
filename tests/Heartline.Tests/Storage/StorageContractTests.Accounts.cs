using Heartline.Core.Accounts;

namespace Heartline.Tests.Storage;

/// <summary>Accounts and refresh tokens behave alike on SQLite and PostgreSQL.</summary>
public abstract partial class StorageContractTests
{
    private static AccountRow Account(string id, string login) => new()
    {
        AccountId = id, Login = login, Name = id, Roles = "pickup_driver", Claims = """{"office":"o1"}""", PasswordHash = "h",
        Active = 1, CreatedAt = 1, UpdatedAt = 1,
    };

    [Fact]
    public async Task Accounts_TakenIdOrLogin_IsRefused_AndAnActiveAdminIsFound()
    {
        var store = new AccountStore(Database);
        Assert.True(await store.CreateAsync(Account("u1", "kim"), default).WaitAsync(Timeout));
        Assert.False(await store.CreateAsync(Account("u1", "lee"), default).WaitAsync(Timeout));
        Assert.False(await store.CreateAsync(Account("u2", "kim"), default).WaitAsync(Timeout));
        Assert.False(await store.AnyActiveWithRoleAsync("admin", default).WaitAsync(Timeout));

        var admin = Account("root", "root");
        await store.CreateAsync(new AccountRow { AccountId = "root", Login = "root", Name = "root", Roles = "call_manager admin", CreatedAt = 1, UpdatedAt = 1 }, default)
            .WaitAsync(Timeout);
        Assert.True(await store.AnyActiveWithRoleAsync("admin", default).WaitAsync(Timeout));
        var found = await store.FindByLoginAsync("kim", default).WaitAsync(Timeout);
        Assert.Equal(("u1", "o1", true), (found!.AccountId, found.ClaimMap["office"], found.IsActive));
    }

    [Fact]
    public async Task RefreshTokens_RotateOnce_AReuseRevokesTheFamily_AndConcurrentUsesRotateOnlyOnce()
    {
        var store = new AccountStore(Database);
        await store.IssueRefreshAsync("t1", "f1", "u1", 10, 1000, default).WaitAsync(Timeout);

        Assert.Equal((RefreshOutcome.Rotated, "u1"), await store.RotateRefreshAsync("t1", "t2", 20, 1000, default).WaitAsync(Timeout));
        Assert.Equal(RefreshOutcome.Reused, (await store.RotateRefreshAsync("t1", "t3", 30, 1000, default).WaitAsync(Timeout)).Outcome);
        // The reuse revoked the successor too.
        Assert.Equal(RefreshOutcome.Invalid, (await store.RotateRefreshAsync("t2", "t4", 40, 1000, default).WaitAsync(Timeout)).Outcome);

        await store.IssueRefreshAsync("e1", "f2", "u1", 10, 50, default).WaitAsync(Timeout);
        Assert.Equal(RefreshOutcome.Invalid, (await store.RotateRefreshAsync("e1", "e2", 60, 1000, default).WaitAsync(Timeout)).Outcome);
        Assert.Equal(RefreshOutcome.Invalid, (await store.RotateRefreshAsync("unknown", "x", 60, 1000, default).WaitAsync(Timeout)).Outcome);

        await store.IssueRefreshAsync("c1", "f3", "u1", 10, 1000, default).WaitAsync(Timeout);
        var outcomes = await Task.WhenAll(Enumerable.Range(0, 4).Select(i => store.RotateRefreshAsync("c1", "c-next-" + i, 70, 1000, default)))
            .WaitAsync(Timeout);
        Assert.Equal(1, outcomes.Count(o => o.Outcome == RefreshOutcome.Rotated));

        Assert.True(await store.RevokeFamilyOfAsync("c1", 80, default).WaitAsync(Timeout));
        Assert.False(await store.RevokeFamilyOfAsync("nope", 80, default).WaitAsync(Timeout));
        Assert.True(await store.PurgeExpiredTokensAsync(100, default).WaitAsync(Timeout) >= 1);
    }
}
