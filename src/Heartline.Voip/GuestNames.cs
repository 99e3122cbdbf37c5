using Heartline.Core.Auth;

namespace Heartline.Voip;

/// <summary>The rules a guest's display name and tenant follow.</summary>
internal static class GuestNames
{
    public const int MaxNameLength = 40;

    /// <summary>The trimmed name, or null when it is empty, too long, or has control or format characters.</summary>
    public static string? Normalize(string? name)
    {
        if (name is null) return null;
        var trimmed = name.Trim();
        if (trimmed.Length is 0 or > MaxNameLength) return null;
        foreach (var ch in trimmed)
        {
            var category = char.GetUnicodeCategory(ch);
            if (char.IsControl(ch) || category is System.Globalization.UnicodeCategory.Format
                or System.Globalization.UnicodeCategory.LineSeparator or System.Globalization.UnicodeCategory.ParagraphSeparator)
                return null;
        }
        return trimmed;
    }

    public static bool IsTenant(string? tenant) => tenant is { Length: > 0 and <= 64 } && Identifiers.IsId(tenant, allowUnderscore: true);

    /// <summary>The presence scope (and event scope) of a tenant's guests.</summary>
    public static string Scope(string tenant) => "voip/" + tenant;

    /// <summary>A party's inbox channel: call events for one guest or user.</summary>
    public static string Inbox(string partyId) => "voip:" + partyId;
}
