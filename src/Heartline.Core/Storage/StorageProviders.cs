namespace Heartline.Core.Storage;

/// <summary>The values of <see cref="StorageOptions.Provider"/> and <see cref="IHeartlineDatabase.Provider"/>.</summary>
public static class StorageProviders
{
    public const string Sqlite = "sqlite";
    public const string Postgres = "postgres";
}
