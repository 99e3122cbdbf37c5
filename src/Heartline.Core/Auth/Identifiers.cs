namespace Heartline.Core.Auth;

/// <summary>The alphabet of ids that become parts of channel names, scopes and keys.</summary>
public static class Identifiers
{
    /// <summary>
    /// 1-64 of <c>A-Z a-z 0-9 - . @</c>, and <c>_</c> when <paramref name="allowUnderscore"/>: a module that joins two
    /// ids with '_' (push-to-talk's <c>{region}_{office}</c>) keeps '_' out of them.
    /// </summary>
    public static bool IsId(string? value, bool allowUnderscore = false)
    {
        if (string.IsNullOrEmpty(value) || value.Length > 64) return false;
        foreach (var ch in value)
        {
            if (!(char.IsAsciiLetterOrDigit(ch) || ch is '-' or '.' or '@' || (allowUnderscore && ch == '_'))) return false;
        }
        return true;
    }
}
