using Heartline.Webinar;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Heartline.Tests.Webinar;

/// <summary>Defaults, the specification's environment variables, and the startup checks that name them.</summary>
public sealed class WebinarOptionsTests
{
    private static WebinarOptions Bind(Dictionary<string, string?> settings, out ValidateOptionsResult validation)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var options = new WebinarOptions();
        configuration.GetSection(WebinarOptions.Section).Bind(options);
        new WebinarOptionsSetup(configuration).Configure(options);
        validation = new WebinarOptionsValidator().Validate(null, options);
        return options;
    }

    [Fact]
    public void Defaults_AreTheSpecificationsAndValid()
    {
        var options = Bind([], out var validation);

        Assert.True(validation.Succeeded, validation.FailureMessage);
        Assert.Equal(TimeSpan.FromSeconds(120), options.HeartbeatInterval);
        Assert.Equal(TimeSpan.FromSeconds(360), options.DeltaCap);
        Assert.Equal(TimeSpan.FromMinutes(10), options.SweepInterval);
        Assert.Equal(TimeSpan.FromDays(90), options.Retention);
        Assert.Equal(90, options.CompletionPercent);
        // 5 minutes would be below 3 × 120 s, so the unset default is the larger of the two.
        Assert.Equal(TimeSpan.FromSeconds(360), options.StaleTimeout);
    }

    [Fact]
    public void StaleTimeoutDefault_ShortHeartbeat_IsFiveMinutes()
    {
        var options = Bind(new() { ["SESSION_HEARTBEAT_INTERVAL_SECONDS"] = "60" }, out _);

        Assert.Equal(TimeSpan.FromMinutes(5), options.StaleTimeout);
    }

    [Fact]
    public void EnvironmentVariables_WinOverTheWebinarSection()
    {
        var options = Bind(new()
        {
            ["Webinar:HeartbeatIntervalSeconds"] = "30",
            ["SESSION_HEARTBEAT_INTERVAL_SECONDS"] = "60",
            ["SESSION_DELTA_CAP_MULTIPLIER"] = "2.5",
            ["SESSION_SWEEPER_INTERVAL_SECONDS"] = "300",
            ["SESSION_STALE_TIMEOUT_SECONDS"] = "900",
            ["SESSION_RETENTION_DAYS"] = "30",
        }, out var validation);

        Assert.True(validation.Succeeded, validation.FailureMessage);
        Assert.Equal((60, 150.0, 300, 900, 30), (options.HeartbeatIntervalSeconds, options.DeltaCap.TotalSeconds,
            options.SweepIntervalSeconds, options.StaleTimeoutSeconds, options.RetentionDays));
    }

    [Fact]
    public void StaleTimeout_BelowThreeHeartbeats_IsRefusedNamingTheVariable()
    {
        Bind(new() { ["SESSION_STALE_TIMEOUT_SECONDS"] = "300" }, out var validation);

        Assert.True(validation.Failed);
        Assert.Contains("SESSION_STALE_TIMEOUT_SECONDS", validation.FailureMessage);
        Assert.Contains("360", validation.FailureMessage);
    }

    [Fact]
    public void UnreadableVariable_IsRefusedNamingIt()
    {
        Bind(new() { ["SESSION_DELTA_CAP_MULTIPLIER"] = "three" }, out var validation);

        Assert.True(validation.Failed);
        Assert.Contains("SESSION_DELTA_CAP_MULTIPLIER", validation.FailureMessage);
    }

    [Fact]
    public async Task Server_WithTooShortStaleTimeout_FailsToStart()
    {
        var exception = await Assert.ThrowsAsync<OptionsValidationException>(() =>
            Infrastructure.HeartlineServer.StartAsync(new Dictionary<string, string?>
            {
                ["SESSION_HEARTBEAT_INTERVAL_SECONDS"] = "120",
                ["SESSION_STALE_TIMEOUT_SECONDS"] = "120",
            }).WaitAsync(TimeSpan.FromSeconds(30)));

        Assert.Contains("SESSION_STALE_TIMEOUT_SECONDS", exception.Message);
    }
}
