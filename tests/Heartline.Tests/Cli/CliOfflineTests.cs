using System.Globalization;
using V = Heartline.Tests.Ptt.AgoraTokenVectors;

namespace Heartline.Tests.Cli;

/// <summary>Commands and argument checks that need no server.</summary>
public sealed class CliOfflineTests
{
    [Fact]
    public async Task AgoraToken_OfficialVectorInputs_PrintsTheOfficialToken()
    {
        var (exit, stdout, stderr) = await CliRunner.RunAsync("agora-token", "--app-id", V.AppId, "--app-certificate", V.AppCertificate,
            "--channel", V.ChannelName, "--uid", V.Uid.ToString(CultureInfo.InvariantCulture), "--role", "subscriber", "--issued-at", V.IssueTs.ToString(CultureInfo.InvariantCulture),
            "--salt", V.Salt.ToString(CultureInfo.InvariantCulture), "--expire", V.Expire.ToString(CultureInfo.InvariantCulture));

        Assert.True(exit == 0, stderr);
        Assert.Equal(V.JoinOnlyUidToken + Environment.NewLine, stdout);
    }

    [Theory]
    [InlineData("")]
    [InlineData("no-such-command")]
    [InlineData("token --user u1")]
    [InlineData("token --user u1 --role admin --region r1 --office o1 --ttl soon")]
    [InlineData("token --user u1 --role admin --region r1 --office o1 --server ftp://x")]
    [InlineData("watch")]
    [InlineData("watch office:r1_o1")]
    [InlineData("watch office:r1_o1 --token t --since-offset 3")]
    [InlineData("watch office:r1_o1 --token t --count 0")]
    [InlineData("stats")]
    [InlineData("agora-token --app-id x")]
    public async Task Run_BadArguments_ExitsTwo(string commandLine)
    {
        var (exit, stdout, stderr) = await CliRunner.RunAsync(commandLine.Split(' ', StringSplitOptions.RemoveEmptyEntries));

        Assert.Equal(2, exit);
        Assert.Empty(stdout);
        Assert.Contains("--help", stderr);
    }

    [Fact]
    public async Task AgoraToken_InvalidAppId_ExitsTwo()
    {
        var (exit, _, stderr) = await CliRunner.RunAsync("agora-token", "--app-id", "short", "--app-certificate", V.AppCertificate,
            "--channel", "c", "--uid", "1");

        Assert.Equal(2, exit);
        Assert.Contains("agora-token", stderr);
    }

    [Fact]
    public async Task Help_ForACommand_ExitsZeroEvenWithoutRequiredOptions()
    {
        var (exit, stdout, _) = await CliRunner.RunAsync("token", "--help");

        Assert.Equal(0, exit);
        Assert.Contains("--user", stdout);
    }

    [Fact]
    public async Task Watch_ServerDown_ExitsOneWithConnectionFailed()
    {
        var (exit, _, stderr) = await CliRunner.RunAsync("watch", "office:r1_o1", "--server", "http://127.0.0.1:1", "--token", "t");

        Assert.Equal(1, exit);
        Assert.Contains("연결 실패", stderr);
    }
}
