using Heartline.Ptt.Agora;
using V = Heartline.Tests.Ptt.AgoraTokenVectors;

namespace Heartline.Tests.Ptt;

public sealed class AgoraTokenTests
{
    private const string OtherCertificate = "0123456789abcdef0123456789ABCDEF";

    [Fact]
    public void BuildRtcToken_OfficialVectorWithUid_MatchesByteForByte()
    {
        var token = AgoraTokenBuilder.BuildRtcToken(
            V.AppId, V.AppCertificate, V.ChannelName, V.Uid, AgoraRole.Subscriber, V.IssueTs, V.Salt, V.Expire);

        Assert.Equal(V.JoinOnlyUidToken, token);
    }

    [Fact]
    public void BuildRtcToken_OfficialVectorWithUidZero_MatchesByteForByte()
    {
        var token = AgoraTokenBuilder.BuildRtcToken(
            V.AppId, V.AppCertificate, V.ChannelName, 0, AgoraRole.Subscriber, V.IssueTs, V.Salt, V.Expire);

        Assert.Equal(V.JoinOnlyUidZeroToken, token);
    }

    [Fact]
    public void DeriveSigningKeys_OfficialVector_MatchesPublishedK1AndK2()
    {
        var (k1, k2) = AgoraTokenBuilder.DeriveSigningKeys(V.AppCertificate, V.IssueTs, V.Salt);

        Assert.Equal(V.K1, Convert.ToHexStringLower(k1));
        Assert.Equal(V.K2, Convert.ToHexStringLower(k2));
    }

    [Fact]
    public void BuildRtcSigningInfo_OfficialVector_MatchesPublishedBytes()
    {
        var signingInfo = AgoraTokenBuilder.BuildRtcSigningInfo(
            V.AppId, V.IssueTs, V.Expire, V.Salt, V.ChannelName, V.Uid,
            AgoraTokenBuilder.PrivilegesFor(AgoraRole.Subscriber, V.Expire));

        Assert.Equal(V.SigningInfo, Convert.ToHexStringLower(signingInfo));
    }

    [Fact]
    public void Sign_OfficialVector_MatchesPublishedSignature()
    {
        var signature = AgoraTokenBuilder.Sign(Convert.FromHexString(V.K2), Convert.FromHexString(V.SigningInfo));

        Assert.Equal(V.Signature, Convert.ToHexStringLower(signature));
    }

    [Fact]
    public void TryDecode_OfficialVector_YieldsPublishedSignatureAndSigningInfo()
    {
        Assert.True(AgoraTokenBuilder.TryDecode(V.JoinOnlyUidToken, out var signature, out var signingInfo));

        Assert.Equal(V.Signature, Convert.ToHexStringLower(signature));
        Assert.Equal(V.SigningInfo, Convert.ToHexStringLower(signingInfo));
        Assert.Equal(138, 2 + signature.Length + signingInfo.Length);
    }

    [Fact]
    public void BuildRtcToken_Publisher_GrantsFourPrivilegesWithTheTokenExpire()
    {
        var token = AgoraTokenBuilder.BuildRtcToken(
            V.AppId, V.AppCertificate, "ptt-room", 42, AgoraRole.Publisher, 1_700_000_000, 777, 900);

        Assert.True(AgoraTokenBuilder.TryParse(token, out var content));
        Assert.Equal(new ushort[] { 1, 2, 3, 4 }, content.Privileges.Keys.Order());
        Assert.All(content.Privileges.Values, expire => Assert.Equal(900u, expire));
    }

    [Fact]
    public void BuildRtcToken_Subscriber_GrantsJoinOnly()
    {
        var token = AgoraTokenBuilder.BuildRtcToken(
            V.AppId, V.AppCertificate, "ptt-room", 42, AgoraRole.Subscriber, 1_700_000_000, 777, 900);

        Assert.True(AgoraTokenBuilder.TryParse(token, out var content));
        Assert.Equal(new Dictionary<ushort, uint> { [1] = 900 }, content.Privileges);
    }

    [Fact]
    public void TryParse_BuiltToken_RoundTripsEveryField()
    {
        var token = AgoraTokenBuilder.BuildRtcToken(
            V.AppId, V.AppCertificate, "Team A: (north) #1", 4_000_000_000, AgoraRole.Publisher, 1_700_000_123, 99_999_999, 3600);

        Assert.True(AgoraTokenBuilder.TryParse(token, out var content));
        Assert.Equal(V.AppId, content.AppId);
        Assert.Equal(1_700_000_123u, content.IssueTs);
        Assert.Equal(3600u, content.Expire);
        Assert.Equal(99_999_999u, content.Salt);
        Assert.Equal("Team A: (north) #1", content.ChannelName);
        Assert.Equal("4000000000", content.Uid);
        Assert.Equal(4, content.Privileges.Count);
    }

    [Fact]
    public void TryParse_OfficialVectorWithUidZero_ReturnsEmptyUid()
    {
        Assert.True(AgoraTokenBuilder.TryParse(V.JoinOnlyUidZeroToken, out var content));

        Assert.Equal("", content.Uid);
        Assert.Equal(V.ChannelName, content.ChannelName);
        Assert.Equal(V.Expire, content.Expire);
    }

    [Theory]
    [InlineData("")]
    [InlineData("007")]
    [InlineData("006eJxTYBBbsMMnKq7p9Hf")]
    [InlineData("007not base64!")]
    [InlineData("007AAAAAAAA")]
    [InlineData("007eJxTYBBbsMMnKq7p9Hf/HcIX5kce9b518kCiQgSr5Zrp4X1Tu6UUGCzNDZwdjU1TUs0Mkk1")]
    public void TryParse_MalformedToken_ReturnsFalse(string token)
    {
        Assert.False(AgoraTokenBuilder.TryParse(token, out var content));
        Assert.Null(content);
        Assert.False(AgoraTokenBuilder.Verify(token, V.AppCertificate));
    }

    [Fact]
    public void Verify_OfficialVectorsWithTheirCertificate_ReturnsTrue()
    {
        Assert.True(AgoraTokenBuilder.Verify(V.JoinOnlyUidToken, V.AppCertificate));
        Assert.True(AgoraTokenBuilder.Verify(V.JoinOnlyUidZeroToken, V.AppCertificate));
    }

    [Fact]
    public void Verify_WrongCertificate_ReturnsFalse()
    {
        Assert.False(AgoraTokenBuilder.Verify(V.JoinOnlyUidToken, OtherCertificate));
    }

    [Fact]
    public void Verify_CertificateInDifferentCase_ReturnsFalse()
    {
        // Agora signs the certificate's characters as written, so case is significant.
        Assert.False(AgoraTokenBuilder.Verify(V.JoinOnlyUidToken, V.AppCertificate.ToLowerInvariant()));
    }

    [Fact]
    public void Verify_SigningInfoAlteredAfterSigning_ReturnsFalse()
    {
        Assert.True(AgoraTokenBuilder.TryDecode(V.JoinOnlyUidToken, out var signature, out var signingInfo));
        signingInfo[^1] ^= 1; // last uid digit: the token now names another user

        var forged = AgoraTokenBuilder.Encode(signature, signingInfo);

        Assert.True(AgoraTokenBuilder.TryParse(forged, out _));
        Assert.False(AgoraTokenBuilder.Verify(forged, V.AppCertificate));
    }
}
