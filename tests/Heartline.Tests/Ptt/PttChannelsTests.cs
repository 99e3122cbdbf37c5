using Heartline.Ptt;
using Heartline.Ptt.Agora;

namespace Heartline.Tests.Ptt;

public sealed class PttChannelsTests
{
    [Fact]
    public void MediaChannel_OfAShortOffice_IsReadable()
    {
        Assert.Equal("ptt_r1_o1", PttChannels.MediaChannel("r1_o1"));
        Assert.Equal("ptt_seoul-1_gangnam.2@x", PttChannels.MediaChannel("seoul-1_gangnam.2@x"));
    }

    [Fact]
    public void MediaChannel_AtAgorasLimit_StaysReadable_OneByteMore_IsHashed()
    {
        var fits = "r1_" + new string('o', 57);
        var over = "r1_" + new string('o', 58);

        Assert.Equal(64, PttChannels.MediaChannel(fits).Length);
        Assert.Equal("ptt_" + fits, PttChannels.MediaChannel(fits));
        Assert.StartsWith("ptth_", PttChannels.MediaChannel(over), StringComparison.Ordinal);
    }

    [Fact]
    public void MediaChannel_OfTheLongestOfficeKey_FitsAgora_IsStable_AndDistinct()
    {
        var longest = new string('r', 64) + "_" + new string('o', 64);
        var neighbour = new string('r', 64) + "_" + new string('o', 63) + "p";

        var channel = PttChannels.MediaChannel(longest);

        Assert.Equal(45, channel.Length);
        Assert.Matches("^ptth_[0-9a-f]{40}$", channel);
        Assert.Equal(channel, PttChannels.MediaChannel(longest));
        Assert.NotEqual(channel, PttChannels.MediaChannel(neighbour));
        Assert.True(AgoraTokenBuilder.IsValidChannelName(channel));
        var token = AgoraTokenBuilder.BuildRtcToken("970CA35de60c44645bbae8a215061b33", "5CFd2fd1755d40ecb72977518be15d3b",
            channel, 1, AgoraRole.Subscriber, 1_111_111, 1, 600);
        Assert.True(AgoraTokenBuilder.TryParse(token, out var parsed));
        Assert.Equal(channel, parsed!.ChannelName);
    }

    [Theory]
    [InlineData("r1_o1", true)]
    [InlineData("r-1.a@b_o.2", true)]
    [InlineData("r1", false)]
    [InlineData("_o1", false)]
    [InlineData("r1_", false)]
    [InlineData("r1_o1_x", false)]
    [InlineData("r1_o 1", false)]
    [InlineData("r1_사무실", false)]
    [InlineData("", false)]
    public void IsOfficeKey_AcceptsOnlyRegionUnderscoreOffice(string office, bool expected) =>
        Assert.Equal(expected, PttIdentity.IsOfficeKey(office));

    [Fact]
    public void IsOfficeKey_AllowsIdsUpTo64CharactersEach()
    {
        Assert.True(PttIdentity.IsOfficeKey(new string('r', 64) + "_" + new string('o', 64)));
        Assert.False(PttIdentity.IsOfficeKey(new string('r', 64) + "_" + new string('o', 65)));
    }
}
