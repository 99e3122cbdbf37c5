using System.Collections.Frozen;

namespace Heartline.Core.Connections;

/// <summary>Finds the handler of a command name among the registered <see cref="ICommandHandler"/>s.</summary>
internal sealed class CommandDispatcher(IEnumerable<ICommandHandler> handlers)
{
    private readonly FrozenDictionary<string, ICommandHandler> _handlers =
        handlers.ToFrozenDictionary(h => h.Name, StringComparer.Ordinal);

    public bool TryGet(string name, out ICommandHandler handler) => _handlers.TryGetValue(name, out handler!);

    public IEnumerable<string> Names => _handlers.Keys;
}
