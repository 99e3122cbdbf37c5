extern alias cli;

using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using cli::Heartline.Cli.Commands;
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
    [InlineData("token --user u1 --role admin --region r1")]
    [InlineData("token --user u1 --role admin --office o1")]
    [InlineData("token --user u1 --role admin --region r_1 --office o1")]
    [InlineData("token --user u1 --role admin --kind robot")]
    [InlineData("token --user u1 --role admin --kind User")]
    [InlineData("token --user u1 --role admin,admin")]
    [InlineData("token --user u1 --role admin --role admin")]
    [InlineData("token --user u1 --role admin,")]
    [InlineData("token --user u1 --role")]
    [InlineData("token --user u1 --role admin --tenant a/b")]
    [InlineData("token --user u/1 --role admin")]
    [InlineData("token --user u1 --role admin --ttl 0")]
    [InlineData("token --user u1 --role admin --ttl 604801")]
    [InlineData("watch")]
    [InlineData("watch office:r1_o1 --user u1 --region r1")]
    [InlineData("watch office:r1_o1 --token t --role admin")]
    [InlineData("watch office:r1_o1 --token t --user u1")]
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

    [Theory]
    [InlineData("token --user u1 --role admin --kind robot", "--kind must be user, guest or service, not 'robot'")]
    [InlineData("token --user u1 --role admin --region r1", "--region and --office go together")]
    [InlineData("token --user u1 --role admin --role viewer,admin", "--role: 'admin' is given twice")]
    [InlineData("token --user u1 --role ,viewer", "no empty one")]
    [InlineData("token --user u1 --role admin --tenant a/b", "--tenant must be 1-64 of A-Z a-z 0-9 - . @ _, not 'a/b'")]
    [InlineData("token --user u1 --role admin --region r_1 --office o1", "--region must be 1-64 of A-Z a-z 0-9 - . @ (no _), not 'r_1'")]
    [InlineData("token --user u1 --role admin --ttl 0", "--ttl must be 1 to 604800")]
    [InlineData("token --user u1 --role admin --ttl soon", "--ttl must be 1 to 604800")]
    [InlineData("watch office:r1_o1 --token t --kind guest", "leave them out with --token")]
    [InlineData("watch office:r1_o1", "give --token, or --user")]
    public async Task Run_BadTokenOptions_SayWhatIsWrong(string commandLine, string message)
    {
        var (exit, stdout, stderr) = await CliRunner.RunAsync(commandLine.Split(' ', StringSplitOptions.RemoveEmptyEntries));

        Assert.Equal(2, exit);
        Assert.Empty(stdout);
        Assert.Contains(message, stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void DevTokenRequest_OneRole_IsSentAsRole_SeveralAsRoles_AndAbsentFieldsAreLeftOut()
    {
        var options = new JsonSerializerOptions { DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };
        var one = JsonSerializer.SerializeToElement(new DevTokenRequest("u1", null, "admin", null, null, null), options);
        var several = JsonSerializer.SerializeToElement(
            new DevTokenRequest("u1", "n", ["viewer", "guest"], "r1", "o1", 60) { Kind = "guest", Tenant = "acme" }, options);

        Assert.Equal("""{"user_id":"u1","role":"admin"}""", one.GetRawText());
        Assert.Equal("""{"user_id":"u1","name":"n","region_id":"r1","office_id":"o1","ttl_seconds":60,"roles":["viewer","guest"],"kind":"guest","tenant":"acme"}""",
            several.GetRawText());
    }

    [Fact]
    public void SplitRoles_RepeatedAndCommaSeparated_KeepTheirOrder()
    {
        Assert.Equal(["viewer", "guest", "admin"], DevTokenOptions.SplitRoles(["viewer, guest", "admin"]));
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
