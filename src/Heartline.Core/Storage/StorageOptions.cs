using System.ComponentModel.DataAnnotations;

namespace Heartline.Core.Storage;

/// <summary>Which database to use, bound from the <c>Storage</c> section.</summary>
internal sealed class StorageOptions
{
    public const string Section = "Storage";

    /// <summary><c>sqlite</c> (embedded, the default) or <c>postgres</c>.</summary>
    [Required, RegularExpression("^(sqlite|postgres)$", ErrorMessage = "Storage:Provider must be 'sqlite' or 'postgres'.")]
    public string Provider { get; set; } = "sqlite";

    /// <summary>
    /// ADO.NET connection string. Default for SQLite: <c>Data Source=data/heartline.db</c> (relative to the working
    /// directory; the folder is created on first start). Required for PostgreSQL.
    /// </summary>
    public string? ConnectionString { get; set; }

    /// <summary>Most events written in one transaction by the event-log writer. Default: 512.</summary>
    [Range(1, 100_000)] public int EventBatchSize { get; set; } = 512;
}
