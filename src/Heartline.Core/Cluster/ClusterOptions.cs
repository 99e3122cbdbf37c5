using System.ComponentModel.DataAnnotations;
using Heartline.Core.Storage;
using Microsoft.Extensions.Options;

namespace Heartline.Core.Cluster;

/// <summary>Several nodes over one PostgreSQL database, bound from the <c>Cluster</c> section (docs/scaling.md).</summary>
internal sealed class ClusterOptions
{
    public const string Section = "Cluster";

    /// <summary>Whether this node joins a cluster. Requires <c>Storage:Provider=postgres</c>. Default: false.</summary>
    public bool Enabled { get; set; }

    /// <summary>How often the node writes its heartbeat and looks for lost nodes. Default: 2 seconds.</summary>
    [Range(1, 60)] public int HeartbeatIntervalSeconds { get; set; } = 2;

    /// <summary>
    /// Heartbeat age after which a node is declared lost and its connections' disconnect actions run on a survivor.
    /// With the default interval a dead node is acted on within 8 seconds. Default: 6 seconds.
    /// </summary>
    [Range(2, 600)] public int NodeTimeoutSeconds { get; set; } = 6;

    /// <summary>
    /// The URL other nodes reach this one at, for relayed audio (e.g. <c>http://10.0.0.5:5080</c>). Default: the
    /// server's first listen address (fine on one machine; set it when listening on 0.0.0.0).
    /// </summary>
    public string? AdvertiseUrl { get; set; }

    /// <summary>Whether audio is forwarded to listeners connected to other nodes. Default: true.</summary>
    public bool PeerAudio { get; set; } = true;

    /// <summary>Most queued publications written in one round trip. Default: 128.</summary>
    [Range(1, 10_000)] public int PublishBatchSize { get; set; } = 128;

    /// <summary>
    /// How long a publication stays in the shared log at least, whatever the history size, so a node that lags a
    /// little still reads it. Default: 30 seconds.
    /// </summary>
    [Range(1, 3600)] public int LogRetentionSeconds { get; set; } = 30;
}

/// <summary>Refuses a cluster configuration that cannot work, naming the setting.</summary>
internal sealed class ClusterOptionsValidator(IOptions<StorageOptions> storage) : IValidateOptions<ClusterOptions>
{
    public ValidateOptionsResult Validate(string? name, ClusterOptions options)
    {
        if (!options.Enabled) return ValidateOptionsResult.Success;
        var failures = new List<string>();
        if (storage.Value.Provider != StorageProviders.Postgres)
        {
            failures.Add("Cluster:Enabled requires Storage:Provider=postgres (every node of a cluster shares one PostgreSQL " +
                "database); it is '" + storage.Value.Provider + "'.");
        }
        if (options.NodeTimeoutSeconds < 2 * options.HeartbeatIntervalSeconds)
            failures.Add("Cluster:NodeTimeoutSeconds must be at least twice Cluster:HeartbeatIntervalSeconds, or one late heartbeat declares a node lost.");
        if (options.AdvertiseUrl is { } url && (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https")))
            failures.Add($"Cluster:AdvertiseUrl '{url}' must be an absolute http:// or https:// URL.");
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
