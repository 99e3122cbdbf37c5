using Microsoft.Extensions.Options;

namespace Heartline.Ptt.Agora;

/// <summary>Validates <see cref="AgoraOptions"/> at startup; messages name the offending property, never its value.</summary>
internal sealed class AgoraOptionsValidator : IValidateOptions<AgoraOptions>
{
    internal const int MinTokenExpireSeconds = 60;

    // Agora caps a token's lifetime at 24 hours.
    internal const int MaxTokenExpireSeconds = 86_400;

    public ValidateOptionsResult Validate(string? name, AgoraOptions options)
    {
        List<string>? failures = null;
        var section = AgoraOptions.SectionName;

        if (!string.IsNullOrEmpty(options.AppId))
        {
            if (!AgoraTokenBuilder.IsHexId(options.AppId))
            {
                (failures ??= []).Add($"{section}:{nameof(AgoraOptions.AppId)} must be 32 hexadecimal characters.");
            }

            if (!AgoraTokenBuilder.IsHexId(options.AppCertificate))
            {
                (failures ??= []).Add(
                    $"{section}:{nameof(AgoraOptions.AppCertificate)} must be 32 hexadecimal characters when {nameof(AgoraOptions.AppId)} is set.");
            }
        }
        else if (!string.IsNullOrEmpty(options.AppCertificate))
        {
            // A certificate without an app id is almost certainly a half-finished configuration.
            (failures ??= []).Add(
                $"{section}:{nameof(AgoraOptions.AppId)} must be set when {nameof(AgoraOptions.AppCertificate)} is set.");
        }

        if (options.TokenExpireSeconds is < MinTokenExpireSeconds or > MaxTokenExpireSeconds)
        {
            (failures ??= []).Add(
                $"{section}:{nameof(AgoraOptions.TokenExpireSeconds)} must be between {MinTokenExpireSeconds} and {MaxTokenExpireSeconds}.");
        }

        return failures is null ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
