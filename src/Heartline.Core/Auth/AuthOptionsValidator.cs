using System.Text;
using Microsoft.Extensions.Options;

namespace Heartline.Core.Auth;

/// <summary>Refuses unsafe token settings at startup, naming the property at fault.</summary>
internal sealed class AuthOptionsValidator(IHostEnvironment environment) : IValidateOptions<AuthOptions>
{
    public ValidateOptionsResult Validate(string? name, AuthOptions options)
    {
        var failures = new List<string>();
        if (Encoding.UTF8.GetByteCount(options.SigningKey ?? "") < 32)
            failures.Add("Auth:SigningKey must be at least 32 bytes.");
        var relaxed = IsRelaxedEnvironment(environment);
        if (!relaxed && options.SigningKey == AuthOptions.DevelopmentSigningKey)
            failures.Add($"Auth:SigningKey is the built-in development key; set a secret key for the {environment.EnvironmentName} environment (for example with the Auth__SigningKey environment variable).");
        if (!relaxed && options.DevTokensEnabled == true)
            failures.Add($"Auth:DevTokensEnabled may not be true in the {environment.EnvironmentName} environment.");
        if (options.External is { Enabled: true } external)
        {
            if (string.IsNullOrWhiteSpace(external.Audience)) failures.Add("Auth:External:Audience is required with Auth:External:Issuer.");
            if (!Uri.TryCreate(external.JwksUrl, UriKind.Absolute, out var jwks) || (jwks.Scheme != Uri.UriSchemeHttps && jwks.Scheme != Uri.UriSchemeHttp))
                failures.Add("Auth:External:JwksUrl must be an absolute http(s) URL with Auth:External:Issuer.");
            else if (external.RequireHttps && jwks.Scheme != Uri.UriSchemeHttps)
                failures.Add("Auth:External:JwksUrl must be https (or set Auth:External:RequireHttps to false, for tests on loopback only).");
            if (external.Issuer == options.Issuer) failures.Add("Auth:External:Issuer must differ from Auth:Issuer.");
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    /// <summary>Development and Testing may use the development key and mint tokens.</summary>
    public static bool IsRelaxedEnvironment(IHostEnvironment environment) =>
        environment.IsDevelopment() || environment.IsEnvironment("Testing");
}
