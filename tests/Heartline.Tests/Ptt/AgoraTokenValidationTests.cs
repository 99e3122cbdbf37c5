using Heartline.Ptt.Agora;
using V = Heartline.Tests.Ptt.AgoraTokenVectors;

namespace Heartline.Tests.Ptt;

public sealed class AgoraTokenValidationTests
{
    private static string Build(
        string appId = V.AppId,
        string appCertificate = V.AppCertificate,
        string channelName = V.ChannelName,
        AgoraRole role = AgoraRole.Publisher,
        uint salt = V.Salt,
        uint expireSeconds = V.Expire) =>
        AgoraTokenBuilder.BuildRtcToken(appId, appCertificate, channelName, V.Uid, role, V.IssueTs, salt, expireSeconds);

    [Theory]
    [InlineData("")]
    [InlineData("970CA35de60c44645bbae8a215061b3")]
    [InlineData("970CA35de60c44645bbae8a215061b333")]
    [InlineData("970CA35de60c44645bbae8a215061b3g")]
    [InlineData("970CA35d-60c4-4645-bbae-8a215061")]
    public void BuildRtcToken_BadAppId_ThrowsNamingAppId(string appId)
    {
        var error = Assert.Throws<ArgumentException>(() => Build(appId: appId));

        Assert.Equal("appId", error.ParamName);
        Assert.Contains("32 hexadecimal", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void BuildRtcToken_BadCertificate_ThrowsWithoutEchoingIt()
    {
        const string bad = "5CFd2fd1755d40ecb72977518be15d3Z";

        var error = Assert.Throws<ArgumentException>(() => Build(appCertificate: bad));

        Assert.Equal("appCertificate", error.ParamName);
        Assert.DoesNotContain(bad, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("room/1")]
    [InlineData("room*")]
    [InlineData("caf\u00e9")]
    [InlineData("tab\there")]
    [InlineData("x12345678901234567890123456789012345678901234567890123456789012345")]
    public void BuildRtcToken_BadChannelName_ThrowsNamingChannelName(string channelName)
    {
        var error = Assert.Throws<ArgumentException>(() => Build(channelName: channelName));

        Assert.Equal("channelName", error.ParamName);
    }

    [Theory]
    [InlineData("a")]
    [InlineData("Aa0 !#$%&()+-:;<=.>?@[]^_{|}~,")]
    [InlineData("1234567890123456789012345678901234567890123456789012345678901234")]
    public void BuildRtcToken_ChannelNameWithinAgoraRules_Succeeds(string channelName)
    {
        Assert.StartsWith("007", Build(channelName: channelName), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0u)]
    [InlineData(100_000_000u)]
    public void BuildRtcToken_SaltOutOfRange_Throws(uint salt)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => Build(salt: salt));

        Assert.Equal("salt", error.ParamName);
    }

    [Fact]
    public void BuildRtcToken_ExpireZero_Throws()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => Build(expireSeconds: 0));

        Assert.Equal("expireSeconds", error.ParamName);
    }

    [Fact]
    public void BuildRtcToken_UndefinedRole_Throws()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => Build(role: (AgoraRole)3));

        Assert.Equal("role", error.ParamName);
    }

    [Fact]
    public void Verify_MalformedCertificate_Throws()
    {
        Assert.Throws<ArgumentException>(() => AgoraTokenBuilder.Verify(V.JoinOnlyUidToken, "not-a-certificate"));
    }
}
