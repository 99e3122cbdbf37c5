using Heartline.Core.Auth;
using Heartline.Core.Channels;
using Heartline.Core.Protocol;
using Heartline.Tests.Infrastructure;

namespace Heartline.Tests.Modules;

/// <summary>Two modules that claim the same thing fail the start with a message naming it, not the first client that meets it.</summary>
public sealed class ModuleClashTests
{
    private sealed class PttNamespaceAgain : IChannelPolicy
    {
        public string Namespace => "ptt";

        public ErrorCode? CanSubscribe(Principal principal, string path) => null;

        public ErrorCode? CanPublish(Principal principal, string path) => null;
    }

    [Fact]
    public async Task AnErrorCodeWithOtherAdvice_FailsTheStart()
    {
        var error = await Assert.ThrowsAnyAsync<Exception>(() => HeartlineServer.StartAsync(modules: heartline =>
            heartline.AddModule("clash").AddErrorCodes(new ErrorCode("floor_busy", ClientAdvice.GiveUp))));

        Assert.Contains("floor_busy", error.ToString());
    }

    [Fact]
    public async Task AChannelNamespaceOfAnotherModule_FailsTheStart()
    {
        var error = await Assert.ThrowsAnyAsync<Exception>(() => HeartlineServer.StartAsync(modules: heartline =>
            heartline.AddModule("clash").AddChannelPolicy<PttNamespaceAgain>()));

        Assert.Contains("Channel namespace 'ptt'", error.ToString());
    }
}
