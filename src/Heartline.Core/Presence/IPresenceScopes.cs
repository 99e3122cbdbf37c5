using Heartline.Core.Auth;
using Heartline.Core.Channels;

namespace Heartline.Core.Presence;

/// <summary>
/// A module's presence scopes: the groups a connection is announced in (push-to-talk: the office; a Q&amp;A app: a
/// region or a room; VoIP: the tenant), and who may watch each. A scope is a channel path (its users' transitions are
/// published on <c>presence:{scope}</c>); modules keep theirs apart by their shape (a prefix of their own).
/// </summary>
public interface IPresenceScopes
{
    /// <summary>Adds the scopes <paramref name="principal"/>'s connections are announced in.</summary>
    void AddScopes(Principal principal, ICollection<string> scopes);

    /// <summary>Whether <paramref name="principal"/> may see who is in <paramref name="scope"/>; null when the scope is not this module's.</summary>
    bool? CanObserve(Principal principal, string scope);
}

/// <summary>Every module's scopes together.</summary>
internal sealed class PresenceScopes(IEnumerable<IPresenceScopes> modules)
{
    private readonly IPresenceScopes[] _modules = [.. modules];

    /// <summary>The scopes of a new connection, each once, in the modules' order.</summary>
    public string[] Of(Principal principal)
    {
        var scopes = new List<string>(2);
        foreach (var module in _modules) module.AddScopes(principal, scopes);
        for (var i = scopes.Count - 1; i >= 0; i--)
        {
            // A scope becomes a channel path and a database key: one a module got wrong is left out, not trusted.
            if (!ChannelName.IsPath(scopes[i]) || scopes.IndexOf(scopes[i]) != i) scopes.RemoveAt(i);
        }
        return [.. scopes];
    }

    /// <summary>Administrators watch every scope; otherwise the module that owns it decides, and unknown scopes are refused.</summary>
    public bool CanObserve(Principal principal, string scope)
    {
        if (principal.IsAdministrator) return true;
        foreach (var module in _modules)
        {
            if (module.CanObserve(principal, scope) is { } allowed) return allowed;
        }
        return false;
    }
}
