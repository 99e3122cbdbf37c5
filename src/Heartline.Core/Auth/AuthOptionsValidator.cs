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
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    /// <summary>Development and Testing may use the development key and mint tokens.</summary>
    public static bool IsRelaxedEnvironment(IHostEnvironment environment) =>
        environment.IsDevelopment() || environment.IsEnvironment("Testing");
}
