using Microsoft.Extensions.Options;

namespace Heartline.Core.Presence;

/// <summary>The checks that relate two presence settings (the ranges are attributes on <see cref="PresenceOptions"/>).</summary>
internal sealed class PresenceOptionsValidator : IValidateOptions<PresenceOptions>
{
    public ValidateOptionsResult Validate(string? name, PresenceOptions options) =>
        // The purge would otherwise delete connections that cluster presence still reads to decide who is offline.
        options.EndedConnectionRetention <= TimeSpan.FromSeconds(options.LeaveGraceSeconds)
            ? ValidateOptionsResult.Fail(
                "Presence:EndedConnectionRetentionHours must be longer than Presence:LeaveGraceSeconds.")
            : ValidateOptionsResult.Success;
}
