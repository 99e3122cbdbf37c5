namespace Heartline.Core.Channels;

/// <summary>Channel names are <c>namespace:path</c>, 1–200 characters of a safe alphabet (docs/protocol.md 5.1).</summary>
public static class ChannelName
{
    public const int MaxLength = 200;

    public static bool TryParse(string? name, out string ns, out string path)
    {
        ns = path = "";
        if (string.IsNullOrEmpty(name) || name.Length > MaxLength || !IsAlphabet(name)) return false;
        var colon = name.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0 || colon == name.Length - 1) return false;
        ns = name[..colon];
        path = name[(colon + 1)..];
        return true;
    }

    /// <summary>Whether <paramref name="path"/> can follow a namespace (a presence scope, say): non-empty, the alphabet, short enough.</summary>
    public static bool IsPath(string? path) =>
        !string.IsNullOrEmpty(path) && path.Length <= MaxLength - 32 && IsAlphabet(path);

    private static bool IsAlphabet(string text)
    {
        foreach (var ch in text)
        {
            if (!(char.IsAsciiLetterOrDigit(ch) || ch is '_' or '-' or '.' or ':' or '/' or '@' or '=')) return false;
        }
        return true;
    }
}
