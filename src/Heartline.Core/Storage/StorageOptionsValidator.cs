using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Heartline.Core.Storage;

/// <summary>Refuses a storage configuration that could not work, naming the setting at fault.</summary>
internal sealed class StorageOptionsValidator : IValidateOptions<StorageOptions>
{
    public ValidateOptionsResult Validate(string? name, StorageOptions options) =>
        options.Provider switch
        {
            StorageProviders.Postgres => ValidatePostgres(options.ConnectionString),
            StorageProviders.Sqlite => ValidateSqlite(options.ConnectionString ?? SqliteDatabase.DefaultConnectionString),
            _ => ValidateOptionsResult.Success, // the [RegularExpression] on Provider reports it
        };

    private static ValidateOptionsResult ValidatePostgres(string? connectionString)
    {
        if (string.IsNullOrWhiteSpace(connectionString))
            return ValidateOptionsResult.Fail("Storage:ConnectionString is required when Storage:Provider is 'postgres'.");
        try
        {
            _ = new NpgsqlConnectionStringBuilder(connectionString);
            return ValidateOptionsResult.Success;
        }
        catch (ArgumentException ex)
        {
            return ValidateOptionsResult.Fail($"Storage:ConnectionString is not a valid PostgreSQL connection string: {ex.Message}");
        }
    }

    private static ValidateOptionsResult ValidateSqlite(string connectionString)
    {
        SqliteConnectionStringBuilder builder;
        try
        {
            builder = new SqliteConnectionStringBuilder(connectionString);
        }
        catch (ArgumentException ex)
        {
            return ValidateOptionsResult.Fail($"Storage:ConnectionString is not a valid SQLite connection string: {ex.Message}");
        }

        // A private in-memory or temporary database exists per connection, so readers would never see the writes.
        var perConnection = builder.DataSource is "" or ":memory:"
            || (builder.Mode == SqliteOpenMode.Memory && builder.Cache != SqliteCacheMode.Shared);
        return perConnection
            ? ValidateOptionsResult.Fail(
                "Storage:ConnectionString must name a file, or a shared in-memory database such as " +
                "'Data Source=heartline;Mode=Memory;Cache=Shared'.")
            : ValidateOptionsResult.Success;
    }
}
