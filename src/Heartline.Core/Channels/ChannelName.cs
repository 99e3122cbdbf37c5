namespace Heartline.Core.Channels;

/// <summary>Channel names are <c>namespace:path</c>, 1–200 characters of a safe alphabet (docs/protocol.md 5.1).</summary>
internal static class ChannelName
{
    public const int MaxLength = 200;

    public static bool TryParse(string? name, out string ns, out string path)
    {
        ns = path = "";
        if (string.IsNullOrEmpty(name) || name.Length > MaxLength) return false;
        foreach (var ch in name)
        {
            if (!(char.IsAsciiLetterOrDigit(ch) || ch is '_' or '-' or '.' or ':' or '/' or '@' or '=')) return false;
        }
        var colon = name.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0 || colon == name.Length - 1) return false;
        ns = name[..colon];
        path = name[(colon + 1)..];
        return true;
    }
}
