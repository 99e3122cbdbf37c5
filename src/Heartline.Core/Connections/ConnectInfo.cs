using Heartline.Core.Auth;

namespace Heartline.Core.Connections;

/// <summary>The module fields of the <c>connect</c> reply's <c>user</c> object, from every <see cref="IConnectInfo"/>.</summary>
internal sealed class ConnectInfo(IEnumerable<IConnectInfo> modules)
{
    private readonly IConnectInfo[] _modules = [.. modules];

    /// <summary>Fields the core itself writes; a module may not replace them.</summary>
    private static readonly HashSet<string> CoreFields = new(StringComparer.Ordinal) { "user_id", "name", "role", "roles", "kind", "tenant" };

    public Dictionary<string, string>? Describe(Principal principal)
    {
        if (_modules.Length == 0) return null;
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var module in _modules) module.Describe(principal, fields);
        foreach (var core in CoreFields) fields.Remove(core);
        return fields.Count == 0 ? null : fields;
    }
}
