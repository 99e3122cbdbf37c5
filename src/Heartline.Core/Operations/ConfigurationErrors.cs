using System.Reflection;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace Heartline.Core.Operations;

/// <summary>
/// Turns a start-up failure caused by configuration into one line per problem, naming the setting, the value given
/// and what is allowed, for the host to print instead of a stack trace (and exit non-zero).
/// </summary>
public static partial class ConfigurationErrors
{
    /// <summary>
    /// Validates every option registered with <c>ValidateOnStart</c> before the host starts (where a failure would be
    /// logged with its stack trace); writes one line per problem to <paramref name="error"/> and returns false on any.
    /// </summary>
    public static bool Validate(IServiceProvider services, IConfiguration configuration, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(error);
        try
        {
            services.GetService<IStartupValidator>()?.Validate();
            return true;
        }
        catch (Exception ex) when (TryDescribe(ex, configuration, out var lines))
        {
            foreach (var line in lines) error.WriteLine("heartline: " + line);
            return false;
        }
    }

    /// <summary>The lines describing <paramref name="exception"/>, or false when it is not a configuration error.</summary>
    public static bool TryDescribe(Exception exception, IConfiguration configuration, out IReadOnlyList<string> lines)
    {
        ArgumentNullException.ThrowIfNull(exception);
        ArgumentNullException.ThrowIfNull(configuration);
        // The start-up validator throws one aggregate of every failure (an options class validated twice, by itself and
        // by another validator that reads it, appears twice).
        var causes = exception is AggregateException aggregate ? aggregate.Flatten().InnerExceptions : [exception];
        var described = new List<string>();
        foreach (var cause in causes)
        {
            switch (cause)
            {
                case OptionsValidationException invalid:
                    described.AddRange(invalid.Failures.Select(f => "invalid configuration: " + Describe(f, invalid.OptionsType, configuration)));
                    break;
                // The binder's own message names the key, the value and the type ("Failed to convert configuration value …").
                case InvalidOperationException { Message: var message } when message.StartsWith("Failed to convert configuration value", StringComparison.Ordinal):
                    described.Add("invalid configuration: " + message);
                    break;
                default:
                    lines = [];
                    return false;
            }
        }
        lines = [.. described.Distinct(StringComparer.Ordinal)];
        return lines.Count > 0;
    }

    /// <summary>
    /// A data-annotation failure names only the property; the setting's key comes from the options type's
    /// <c>Section</c> constant (the convention every options class here follows), and its value from configuration.
    /// </summary>
    private static string Describe(string failure, Type optionsType, IConfiguration configuration)
    {
        var match = DataAnnotationFailure().Match(failure);
        if (!match.Success) return failure;
        var member = match.Groups["member"].Value;
        var section = optionsType.GetField("Section", BindingFlags.Public | BindingFlags.Static)?.GetRawConstantValue() as string
            ?? optionsType.GetField("SectionName", BindingFlags.Public | BindingFlags.Static)?.GetRawConstantValue() as string;
        var key = section is null ? member : $"{section}:{member}";
        var value = configuration[key];
        var given = value is null ? "(not set)" : $"'{value}'";
        return $"{key} = {given}: {match.Groups["error"].Value}";
    }

    [GeneratedRegex("members: '(?<member>[^']+)' with the error: '(?<error>.*)'\\.?$")]
    private static partial Regex DataAnnotationFailure();
}
