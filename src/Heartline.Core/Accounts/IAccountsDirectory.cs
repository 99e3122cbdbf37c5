namespace Heartline.Core.Accounts;

/// <summary>What modules may ask of the accounts (docs/accounts.md): e.g. an office's registered drivers for its reports.</summary>
public interface IAccountsDirectory
{
    /// <summary>Active accounts holding <paramref name="role"/> whose claims include every one of <paramref name="claims"/>.</summary>
    int CountActive(string role, IReadOnlyDictionary<string, string> claims);
}
