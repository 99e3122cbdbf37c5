using System.CommandLine;
using System.Security.Cryptography;
using Heartline.Ptt.Agora;

namespace Heartline.Cli.Commands;

/// <summary>
/// <c>heartline agora-token</c>: mints an Agora RTC token offline with the same builder the server uses, for
/// testing a client against Agora or reproducing a token an operator is debugging.
/// </summary>
internal static class AgoraTokenCommand
{
    /// <summary>Exit code for input the builder rejects (bad app id, channel name, salt, ...).</summary>
    public const int InvalidInputExitCode = 2;

    public static Command Create()
    {
        var appId = new Option<string>("--app-id")
        {
            Description = "Agora App ID (32 hex characters).",
            Required = true,
        };
        var appCertificate = new Option<string>("--app-certificate")
        {
            Description = "Agora App Certificate (32 hex characters).",
            Required = true,
        };
        var channel = new Option<string>("--channel")
        {
            Description = "Channel name: 1-64 characters from a-z A-Z 0-9 space !#$%&()+-:;<=.>?@[]^_{|}~,",
            Required = true,
        };
        var uid = new Option<uint>("--uid")
        {
            Description = "User id the token is bound to; 0 lets any uid join.",
            Required = true,
        };
        var role = new Option<string>("--role")
        {
            Description = "publisher (join + publish) or subscriber (join only).",
            DefaultValueFactory = _ => "publisher",
        };
        var expire = new Option<uint>("--expire")
        {
            Description = "Token and privilege lifetime in seconds.",
            DefaultValueFactory = _ => 3600,
        };
        var issuedAt = new Option<uint?>("--issued-at")
        {
            Description = "Issue time as unix seconds. Default: now.",
        };
        var salt = new Option<uint?>("--salt")
        {
            Description = "Salt in 1..99999999. Default: random.",
        };

        var command = new Command("agora-token", "Print an Agora AccessToken2 (007) RTC token / Agora RTC 토큰 출력")
        {
            appId, appCertificate, channel, uid, role, expire, issuedAt, salt,
        };

        command.SetAction(parseResult =>
        {
            var output = parseResult.InvocationConfiguration.Output;
            var error = parseResult.InvocationConfiguration.Error;

            AgoraRole agoraRole;
            switch (parseResult.GetValue(role)?.ToLowerInvariant())
            {
                case "publisher": agoraRole = AgoraRole.Publisher; break;
                case "subscriber": agoraRole = AgoraRole.Subscriber; break;
                default:
                    error.WriteLine("agora-token: --role must be 'publisher' or 'subscriber' / --role은 publisher 또는 subscriber여야 합니다");
                    return InvalidInputExitCode;
            }

            try
            {
                var token = AgoraTokenBuilder.BuildRtcToken(
                    parseResult.GetValue(appId)!,
                    parseResult.GetValue(appCertificate)!,
                    parseResult.GetValue(channel)!,
                    parseResult.GetValue(uid),
                    agoraRole,
                    parseResult.GetValue(issuedAt) ?? (uint)TimeProvider.System.GetUtcNow().ToUnixTimeSeconds(),
                    parseResult.GetValue(salt) ?? (uint)RandomNumberGenerator.GetInt32(1, (int)AgoraTokenBuilder.MaxSalt + 1),
                    parseResult.GetValue(expire));
                output.WriteLine(token);
                return 0;
            }
            catch (ArgumentException ex)
            {
                // ArgumentOutOfRangeException puts "Actual value was ..." on a second line; keep the error to one line.
                error.WriteLine($"agora-token: invalid input / 잘못된 입력: {ex.Message.Split('\n')[0].TrimEnd()}");
                return InvalidInputExitCode;
            }
        });

        return command;
    }
}
