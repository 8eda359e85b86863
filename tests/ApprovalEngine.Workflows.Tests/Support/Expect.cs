namespace ApprovalEngine.Workflows.Tests.Support;

public static class Expect
{
    /// <summary>Asserts that <paramref name="action"/> throws <typeparamref name="T"/> and returns it.</summary>
    public static async Task<T> Throws<T>(Func<Task> action) where T : Exception =>
        (await Assert.ThrowsAsync<T>(action))!;
}
