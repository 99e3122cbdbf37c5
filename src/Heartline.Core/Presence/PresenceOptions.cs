using System.ComponentModel.DataAnnotations;

namespace Heartline.Core.Presence;

/// <summary>Presence settings, bound from the <c>Presence</c> section.</summary>
internal sealed class PresenceOptions
{
    public const string Section = "Presence";

    /// <summary>
    /// How long a user's last connection must stay closed before the user is announced offline, so a quick
    /// reconnect produces no offline/online pair. Default: 10 seconds.
    /// </summary>
    [Range(0, 3600)] public int LeaveGraceSeconds { get; set; } = 10;

    /// <summary>How often pending offline announcements are checked. Default: 1 second.</summary>
    [Range(1, 60)] public int SweepIntervalSeconds { get; set; } = 1;

    /// <summary>
    /// How long the row of an ended connection is kept before the presence sweeper deletes it (open connections are
    /// never deleted). Must be longer than <see cref="LeaveGraceSeconds"/>: cluster presence reads connections ended
    /// within the grace. Default: 168 hours (7 days).
    /// </summary>
    [Range(1, 87_600)] public int EndedConnectionRetentionHours { get; set; } = 168;

    /// <summary>
    /// This node's id, stored with its connections so the next start (or, with PostgreSQL, another node) can clean up
    /// after a crash. Default: the machine name.
    /// </summary>
    [Required, RegularExpression("^[A-Za-z0-9._-]{1,64}$", ErrorMessage = "Presence:NodeId must be 1-64 letters, digits, '.', '_' or '-'.")]
    public string NodeId { get; set; } = Environment.MachineName;

    public TimeSpan EndedConnectionRetention => TimeSpan.FromHours(EndedConnectionRetentionHours);

    /// <summary>Set (not bound) when the node shares its database with other nodes (cluster mode).</summary>
    internal bool SharedDatabase { get; set; }

    /// <summary>
    /// Whose leftovers startup cleanup ends: this node's in a cluster; every node's (null) on a single node, whose
    /// database no other process uses, so that a crash is still cleaned up when the machine name (the default node
    /// id) changes between runs, as it does for containers.
    /// </summary>
    internal string? StartupCleanupNodeId => SharedDatabase ? NodeId : null;
}
