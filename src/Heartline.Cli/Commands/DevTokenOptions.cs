using System.CommandLine;
using System.CommandLine.Parsing;

namespace Heartline.Cli.Commands;

/// <summary>
/// The options that describe a development token, shared by <c>token</c> and by <c>watch</c> (which mints one when no
/// <c>--token</c> is given). They check what <c>POST /api/auth/dev-token</c> checks that can be known without the
/// server (which roles exist is up to the server's modules), so a mistake is reported by option name with exit code 2.
/// </summary>
internal sealed class DevTokenOptions
{
    public const int MaxTtlSeconds = 7 * 24 * 3600;
    private static readonly string[] Kinds = ["user", "guest", "service"];

    public DevTokenOptions(bool required, string? defaultRole)
    {
        User = new Option<string?>("--user")
        {
            Description = required ? "Subject id (user, guest or service id)." : "Without --token: mint a dev token for this subject id.",
            Required = required,
        };
        Role = new Option<string[]>("--role")
        {
            Description = "Role; repeat it or separate roles with commas for several (the first is the primary role): "
                + "admin, guest, call_manager, pickup_driver, viewer or any role a server module declares.",
            Required = required && defaultRole is null,
            Arity = ArgumentArity.OneOrMore,
        };
        if (defaultRole is not null) Role.DefaultValueFactory = _ => [defaultRole];
        Region = new Option<string?>("--region") { Description = "Region id of push-to-talk's office (with --office). Default: no office." };
        Office = new Option<string?>("--office") { Description = "Office id within the region (with --region). Default: no office." };
        Name = new Option<string?>("--name") { Description = "Display name. Default: the subject id." };
        Kind = new Option<string?>("--kind")
        {
            Description = "user, guest or service. Default: guest when the roles include guest, else user.",
        };
        Kind.CompletionSources.Add(Kinds);
        Tenant = new Option<string?>("--tenant") { Description = "Tenant (organization) id. Default: none." };

        User.Validators.Add(result => CheckId(result, "--user", allowUnderscore: true));
        Region.Validators.Add(result => CheckId(result, "--region", allowUnderscore: false));
        Office.Validators.Add(result => CheckId(result, "--office", allowUnderscore: false));
        Tenant.Validators.Add(result => CheckId(result, "--tenant", allowUnderscore: true));
        Name.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<string?>() is { Length: > 64 }) result.AddError(Texts.NameTooLong);
        });
        Kind.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<string?>() is { } kind && !Kinds.Contains(kind, StringComparer.Ordinal))
                result.AddError(Texts.InvalidKind(kind));
        });
        Role.Validators.Add(result =>
        {
            if (RoleProblem(result.GetValueOrDefault<string[]>() ?? []) is { } problem) result.AddError(problem);
        });
    }

    public Option<string?> User { get; }
    public Option<string[]> Role { get; }
    public Option<string?> Region { get; }
    public Option<string?> Office { get; }
    public Option<string?> Name { get; }
    public Option<string?> Kind { get; }
    public Option<string?> Tenant { get; }

    public IEnumerable<Option> All => [User, Role, Region, Office, Name, Kind, Tenant];

    /// <summary>Checks what involves several options: an office is a region and an office id together.</summary>
    public void Validate(CommandResult result)
    {
        if ((result.GetValue(Region) is null) != (result.GetValue(Office) is null)) result.AddError(Texts.RegionWithOffice);
    }

    /// <summary>Whether any option of the token was given on the command line (a default does not count).</summary>
    public bool AnyGiven(CommandResult result) => All.Any(option => result.GetResult(option) is { Implicit: false });

    public DevTokenRequest Request(ParseResult parseResult, int? ttlSeconds) =>
        new(parseResult.GetValue(User)!, parseResult.GetValue(Name), SplitRoles(parseResult.GetValue(Role) ?? []),
            parseResult.GetValue(Region), parseResult.GetValue(Office), ttlSeconds)
        {
            Kind = parseResult.GetValue(Kind),
            Tenant = parseResult.GetValue(Tenant),
        };

    /// <summary>Every <c>--role</c> value split at commas, in order.</summary>
    public static IReadOnlyList<string> SplitRoles(IEnumerable<string> values) =>
        [.. values.SelectMany(value => value.Split(',')).Select(role => role.Trim())];

    private static string? RoleProblem(string[] values)
    {
        var roles = SplitRoles(values);
        if (roles.Count == 0 || roles.Any(role => role.Length == 0)) return Texts.EmptyRole;
        var repeated = roles.GroupBy(role => role, StringComparer.Ordinal).FirstOrDefault(group => group.Count() > 1);
        return repeated is null ? null : Texts.RepeatedRole(repeated.Key);
    }

    private static void CheckId(OptionResult result, string option, bool allowUnderscore)
    {
        if (result.GetValueOrDefault<string?>() is { } value && !IsId(value, allowUnderscore))
            result.AddError(Texts.InvalidId(option, value, allowUnderscore));
    }

    /// <summary>The server's id alphabet (<c>Identifiers.IsId</c>): 1-64 of A-Z a-z 0-9 - . @, and _ where allowed.</summary>
    internal static bool IsId(string value, bool allowUnderscore)
    {
        if (value.Length is 0 or > 64) return false;
        foreach (var ch in value)
        {
            if (!(char.IsAsciiLetterOrDigit(ch) || ch is '-' or '.' or '@' || (allowUnderscore && ch == '_'))) return false;
        }
        return true;
    }
}
