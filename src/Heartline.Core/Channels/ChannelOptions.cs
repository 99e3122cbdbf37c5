using System.ComponentModel.DataAnnotations;
using Heartline.Core.Connections;
using Microsoft.Extensions.Options;

namespace Heartline.Core.Channels;

/// <summary>Channel history settings, bound from the <c>Channels</c> section.</summary>
internal sealed class ChannelOptions
{
    public const string Section = "Channels";

    /// <summary>Publications kept per channel for recovery. Default: 100.</summary>
    [Range(0, 100_000)] public int HistorySize { get; set; } = 100;

    /// <summary>Age after which a publication leaves history. Default: 300 seconds.</summary>
    [Range(1, 7 * 24 * 3600)] public int HistoryTtlSeconds { get; set; } = 300;

    /// <summary>
    /// Bytes of history kept per channel (its oldest publications leave first). A recovering client gets all it missed
    /// in one reply, so this must fit in a send queue: at most half of <c>Realtime:SendQueueMaxBytes</c> (checked at
    /// startup). Default: 262,144 (256 KiB).
    /// </summary>
    [Range(0, 64 * 1024 * 1024)] public int HistoryMaxBytes { get; set; } = 256 * 1024;

    /// <summary>
    /// Megabytes of history kept by all channels together. Beyond it a channel that publishes keeps no more history
    /// until older history ages out (its subscribers still get every publication live; a client that recovers from
    /// it gets <c>recovered: false</c>), so publishing to ever new topics cannot exhaust memory. Default: 256.
    /// </summary>
    [Range(1, 1024 * 1024)] public int HistoryTotalMaxMegabytes { get; set; } = 256;

    /// <summary>
    /// Channels that clients may use per scope (namespace and first path segment, e.g. <c>office:r1_o1</c>) within the
    /// history age; one more is refused with <c>limit_exceeded</c>. Default: 1,000.
    /// </summary>
    [Range(1, 1_000_000)] public int MaxChannelsPerScope { get; set; } = 1000;

    /// <summary>How often the sweeper trims history and drops idle channels. Default: 10 seconds.</summary>
    [Range(1, 3600)] public int SweepIntervalSeconds { get; set; } = 10;
}

/// <summary>Rules of <see cref="ChannelOptions"/> that involve the realtime settings.</summary>
internal sealed class ChannelOptionsValidator(IOptions<RealtimeOptions> realtime) : IValidateOptions<ChannelOptions>
{
    public ValidateOptionsResult Validate(string? name, ChannelOptions options) =>
        options.HistoryMaxBytes > realtime.Value.SendQueueMaxBytes / 2
            ? ValidateOptionsResult.Fail(
                $"Channels:HistoryMaxBytes ({options.HistoryMaxBytes}) must be at most half of Realtime:SendQueueMaxBytes " +
                $"({realtime.Value.SendQueueMaxBytes}): a recovery reply carries a channel's whole history.")
            : ValidateOptionsResult.Success;
}
