using System.ComponentModel.DataAnnotations;

namespace Heartline.Server.Channels;

/// <summary>Channel history settings, bound from the <c>Channels</c> section.</summary>
internal sealed class ChannelOptions
{
    public const string Section = "Channels";

    /// <summary>Publications kept per channel for recovery. Default: 100.</summary>
    [Range(0, 100_000)] public int HistorySize { get; set; } = 100;

    /// <summary>Age after which a publication leaves history. Default: 300 seconds.</summary>
    [Range(1, 7 * 24 * 3600)] public int HistoryTtlSeconds { get; set; } = 300;

    /// <summary>How often the sweeper trims history and drops idle channels. Default: 10 seconds.</summary>
    [Range(1, 3600)] public int SweepIntervalSeconds { get; set; } = 10;
}
