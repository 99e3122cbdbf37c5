using System.Globalization;
using Microsoft.Extensions.Options;

namespace Heartline.Webinar;

/// <summary>
/// Applies the specification's environment variables (<c>SESSION_HEARTBEAT_INTERVAL_SECONDS</c>, …) over the
/// <c>Webinar</c> section. Unreadable values are kept for <see cref="WebinarOptionsValidator"/> to report.
/// </summary>
internal sealed class WebinarOptionsSetup(IConfiguration configuration) : IConfigureOptions<WebinarOptions>
{
    public void Configure(WebinarOptions options)
    {
        if (Read(WebinarOptions.HeartbeatIntervalVariable, options) is { } interval)
            options.HeartbeatIntervalSeconds = (int)interval;
        if (ReadNumber(WebinarOptions.DeltaCapMultiplierVariable, options) is { } multiplier)
            options.DeltaCapMultiplier = multiplier;
        if (Read(WebinarOptions.SweepIntervalVariable, options) is { } sweep)
            options.SweepIntervalSeconds = (int)sweep;
        if (Read(WebinarOptions.StaleTimeoutVariable, options) is { } stale)
            options.StaleTimeoutSeconds = (int)stale;
        if (Read(WebinarOptions.RetentionDaysVariable, options) is { } days)
            options.RetentionDays = (int)days;
    }

    private long? Read(string variable, WebinarOptions options)
    {
        var text = configuration[variable];
        if (string.IsNullOrWhiteSpace(text)) return null;
        if (int.TryParse(text.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var value)) return value;
        options.BindingErrors.Add($"{variable} must be a whole positive number, not '{text}'.");
        return null;
    }

    private double? ReadNumber(string variable, WebinarOptions options)
    {
        var text = configuration[variable];
        if (string.IsNullOrWhiteSpace(text)) return null;
        if (double.TryParse(text.Trim(), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value))
            return value;
        options.BindingErrors.Add($"{variable} must be a positive number, not '{text}'.");
        return null;
    }
}

/// <summary>Refuses webinar settings that could not work, naming the environment variable (and the key) at fault.</summary>
internal sealed class WebinarOptionsValidator : IValidateOptions<WebinarOptions>
{
    public ValidateOptionsResult Validate(string? name, WebinarOptions options)
    {
        var failures = new List<string>(options.BindingErrors);
        if (options.HeartbeatIntervalSeconds is < 5 or > 3600)
            failures.Add($"{WebinarOptions.HeartbeatIntervalVariable} (Webinar:HeartbeatIntervalSeconds) must be 5 to 3600 seconds, not {options.HeartbeatIntervalSeconds}.");
        if (options.DeltaCapMultiplier is < 1 or > 20 || double.IsNaN(options.DeltaCapMultiplier))
            failures.Add($"{WebinarOptions.DeltaCapMultiplierVariable} (Webinar:DeltaCapMultiplier) must be 1 to 20, not {options.DeltaCapMultiplier}.");
        if (options.SweepIntervalSeconds is < 10 or > 24 * 3600)
            failures.Add($"{WebinarOptions.SweepIntervalVariable} (Webinar:SweepIntervalSeconds) must be 10 to 86400 seconds, not {options.SweepIntervalSeconds}.");
        if (options.RetentionDays is < 1 or > 3650)
            failures.Add($"{WebinarOptions.RetentionDaysVariable} (Webinar:RetentionDays) must be 1 to 3650 days, not {options.RetentionDays}.");
        if (options.CompletionPercent is < 1 or > 100)
            failures.Add($"Webinar:CompletionPercent must be 1 to 100, not {options.CompletionPercent}.");
        if (options.RequestRatePerIp is < 1 or > 10_000_000)
            failures.Add($"Webinar:RequestRatePerIp must be 1 to 10000000, not {options.RequestRatePerIp}.");
        if (options.RequestRateWindowSeconds is < 1 or > 3600)
            failures.Add($"Webinar:RequestRateWindowSeconds must be 1 to 3600 seconds, not {options.RequestRateWindowSeconds}.");
        if (options.DefaultPostWindowMinutes is < 0 or > WebinarAdminApi.MaxPostWindowMinutes)
            failures.Add($"Webinar:DefaultPostWindowMinutes must be 0 to {WebinarAdminApi.MaxPostWindowMinutes}, not {options.DefaultPostWindowMinutes}.");
        if (options.StaleTimeoutSeconds is { } stale && stale < 3L * options.HeartbeatIntervalSeconds)
        {
            failures.Add(
                $"{WebinarOptions.StaleTimeoutVariable} (Webinar:StaleTimeoutSeconds) is {stale} seconds; it must be at " +
                $"least 3 × {WebinarOptions.HeartbeatIntervalVariable} = {3 * options.HeartbeatIntervalSeconds} seconds, " +
                "because hidden browser tabs deliver heartbeats late.");
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
