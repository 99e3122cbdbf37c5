using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Heartline.Ptt.Agora;
using V = Heartline.Tests.Ptt.AgoraTokenVectors;

namespace Heartline.Tests.Ptt;

/// <summary>
/// Checks our tokens against Agora's own Node implementation (npm "agora-token", pinned in tests/js/package.json)
/// through tests/js/agora-verify.mjs, in both directions.
/// </summary>
public sealed class AgoraNodeCrossCheckTests
{
    private static readonly TimeSpan ProcessTimeout = TimeSpan.FromSeconds(30);

    private const string OtherCertificate = "0123456789abcdef0123456789ABCDEF";
    private const string Channel = "ptt:team-7 (north)";

    // A fixed, realistic issue time (2026-01-01T00:00:00Z) keeps the tokens deterministic.
    private const uint IssuedAt = 1_767_225_600;

    [Theory]
    [InlineData("publisher", V.Uid)]
    [InlineData("subscriber", 1001u)]
    [InlineData("subscriber", 0u)]
    public async Task AgoraVerify_TokenFromOurBuilder_AcceptsEveryFieldAndTheSignature(string role, uint uid)
    {
        var token = AgoraTokenBuilder.BuildRtcToken(
            V.AppId, V.AppCertificate, Channel, uid, ParseRole(role), IssuedAt, 4242, 600);

        var (exitCode, stdout, stderr) = await RunAgoraVerifyAsync(
            "verify", "--token", token, "--app-id", V.AppId, "--app-certificate", V.AppCertificate,
            "--channel", Channel, "--uid", uid.ToString(CultureInfo.InvariantCulture), "--role", role, "--expire", "600",
            "--issued-at", IssuedAt.ToString(CultureInfo.InvariantCulture), "--salt", "4242");

        Assert.True(exitCode == 0, $"agora-verify exited {exitCode}: {stdout} {stderr}");
        using var result = JsonDocument.Parse(stdout);
        var checks = result.RootElement.GetProperty("checks");
        Assert.True(checks.GetProperty("signature").GetBoolean(), stdout);
        Assert.True(checks.GetProperty("contentMatchesAgoraBuild").GetBoolean(), stdout);
        Assert.True(result.RootElement.GetProperty("ok").GetBoolean(), stdout);
    }

    [Fact]
    public async Task AgoraVerify_WrongCertificate_RejectsTheSignature()
    {
        var token = AgoraTokenBuilder.BuildRtcToken(
            V.AppId, V.AppCertificate, Channel, V.Uid, AgoraRole.Publisher, IssuedAt, 4242, 600);

        var (exitCode, stdout, _) = await RunAgoraVerifyAsync(
            "verify", "--token", token, "--app-id", V.AppId, "--app-certificate", OtherCertificate,
            "--channel", Channel, "--uid", V.Uid.ToString(CultureInfo.InvariantCulture), "--role", "publisher", "--expire", "600");

        Assert.Equal(1, exitCode);
        using var result = JsonDocument.Parse(stdout);
        Assert.False(result.RootElement.GetProperty("checks").GetProperty("signature").GetBoolean(), stdout);
    }

    [Theory]
    [InlineData("publisher", new ushort[] { 1, 2, 3, 4 })]
    [InlineData("subscriber", new ushort[] { 1 })]
    public async Task Verify_TokenFromAgoraRtcTokenBuilder_Accepts(string role, ushort[] expectedPrivileges)
    {
        var (exitCode, stdout, stderr) = await RunAgoraVerifyAsync(
            "build", "--app-id", V.AppId, "--app-certificate", V.AppCertificate, "--channel", Channel,
            "--uid", V.Uid.ToString(CultureInfo.InvariantCulture), "--role", role, "--expire", "900");
        Assert.True(exitCode == 0, $"agora-verify exited {exitCode}: {stdout} {stderr}");
        using var result = JsonDocument.Parse(stdout);
        var token = result.RootElement.GetProperty("token").GetString()!;

        Assert.True(AgoraTokenBuilder.TryParse(token, out var content), token);
        Assert.True(AgoraTokenBuilder.Verify(token, V.AppCertificate), token);
        Assert.False(AgoraTokenBuilder.Verify(token, OtherCertificate), token);
        Assert.Equal(V.AppId, content.AppId);
        Assert.Equal(Channel, content.ChannelName);
        Assert.Equal(V.Uid.ToString(CultureInfo.InvariantCulture), content.Uid);
        Assert.Equal(900u, content.Expire);
        Assert.Equal(expectedPrivileges, content.Privileges.Keys.Order());
        Assert.All(content.Privileges.Values, expire => Assert.Equal(900u, expire));
    }

    private static AgoraRole ParseRole(string role) => Enum.Parse<AgoraRole>(role, ignoreCase: true);

    private static async Task<(int ExitCode, string Stdout, string Stderr)> RunAgoraVerifyAsync(params string[] arguments)
    {
        var root = FindRepoRoot();
        var agoraToken = Path.Combine(root, "tests", "js", "node_modules", "agora-token", "package.json");
        Assert.True(File.Exists(agoraToken), "tests/js/node_modules is missing: run `npm ci --prefix tests/js` first.");

        var startInfo = new ProcessStartInfo("node")
        {
            WorkingDirectory = root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        startInfo.ArgumentList.Add(Path.Combine("tests", "js", "agora-verify.mjs"));
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        using var process = StartOrFail(startInfo);
        using var timeout = new CancellationTokenSource(ProcessTimeout);
        var stdout = process.StandardOutput.ReadToEndAsync(timeout.Token);
        var stderr = process.StandardError.ReadToEndAsync(timeout.Token);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
            return (process.ExitCode, (await stdout).Trim(), (await stderr).Trim());
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"node agora-verify.mjs did not finish within {ProcessTimeout.TotalSeconds} s.");
        }
    }

    private static Process StartOrFail(ProcessStartInfo startInfo)
    {
        try
        {
            return Process.Start(startInfo) ?? throw new InvalidOperationException("node did not start.");
        }
        catch (Win32Exception ex)
        {
            throw new InvalidOperationException("Could not run `node`; Node.js 20+ must be on PATH.", ex);
        }
    }

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Heartline.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"No Heartline.slnx above {AppContext.BaseDirectory}.");
    }
}
