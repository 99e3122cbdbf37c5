using Heartline.Ptt.Agora;
using V = Heartline.Tests.Ptt.AgoraTokenVectors;

namespace Heartline.Tests.Ptt;

public sealed class AgoraOptionsValidatorTests
{
    private static readonly AgoraOptionsValidator Validator = new();

    [Fact]
    public void Validate_Defaults_Succeeds()
    {
        Assert.True(Validator.Validate(null, new AgoraOptions()).Succeeded);
    }

    [Fact]
    public void Validate_WellFormedCredentials_Succeeds()
    {
        var options = new AgoraOptions { AppId = V.AppId, AppCertificate = V.AppCertificate, TokenExpireSeconds = 600 };

        Assert.True(Validator.Validate(null, options).Succeeded);
    }

    [Fact]
    public void Validate_BadAppId_NamesAppId()
    {
        var result = Validator.Validate(null, new AgoraOptions { AppId = "abc", AppCertificate = V.AppCertificate });

        Assert.True(result.Failed);
        Assert.Contains("Ptt:Agora:AppId", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_AppIdWithoutCertificate_NamesAppCertificate()
    {
        var result = Validator.Validate(null, new AgoraOptions { AppId = V.AppId });

        Assert.True(result.Failed);
        Assert.Contains("Ptt:Agora:AppCertificate", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_CertificateWithoutAppId_NamesAppId()
    {
        var result = Validator.Validate(null, new AgoraOptions { AppCertificate = V.AppCertificate });

        Assert.True(result.Failed);
        Assert.Contains("Ptt:Agora:AppId", result.FailureMessage, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(59)]
    [InlineData(86_401)]
    public void Validate_TokenExpireOutOfRange_NamesTokenExpireSeconds(int seconds)
    {
        var result = Validator.Validate(null, new AgoraOptions { TokenExpireSeconds = seconds });

        Assert.True(result.Failed);
        Assert.Contains("Ptt:Agora:TokenExpireSeconds", result.FailureMessage, StringComparison.Ordinal);
    }
}
