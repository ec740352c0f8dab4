<?xml version='1.0' encoding='utf-8'?>
<TS version="2.1" language="en" sourcelanguage="en">
<context>
    <name>AccountDialog</name>
    <message>
        <location filename="../../ui/windows/settings_dialog.py" line="146" />
        <source>Accept messages sent &amp;directly to this computer</source>
        <extracomment>The dialog's result when "Try it on this computer" was chosen. The user chose "Try it on this computer" instead of an account.</extracomment>
        <translation>Accept messages sent &amp;directly to this computer</translation>
    </message>
    <message>
        <location filename="../../ui/windows/settings_dialog.py" line="149" />
        <source>Accept messages sent directly to this computer</source>
        <translation>Accept messages sent directly to this computer</translation>
    </message>
    <message>
        <location filename="../../ui/windows/settings_dialog.py" line="153" />
        <source>Off: only messages that come through your provider's server are taken. On: anyone who can reach this computer can send you messages.</source>
        <translation>Off: only messages that come through your provider's server are taken. On: anyone who can reach this computer can send you messages.</translation>
    </message>
    <message>
        <location filename="../../ui/windows/settings_dialog.py" line="171" />
        <source>Password problem</source>
        <extracomment>The server's refusal of the password, in words, above the field.</extracomment>
        <translation>Password problem</translation>
    </message>
</context>
<context>
    <name>BuddyDetails</name>
    <message>
        <location filename="../../ui/windows/buddy_details.py" line="43" />
        <source>Buddy details</source>
        <translation>Buddy details</translation>
    </message>
    <message>
        <location filename="../../ui/windows/buddy_details.py" line="50" />
        <source>Address</source>
        <translation>Address</translation>
    </message>
    <message>
        <location filename="../../ui/windows/buddy_details.py" line="51" />
        <source>State</source>
        <translation>State</translation>
    </message>
    <message>
        <location filename="../../ui/windows/buddy_details.py" line="52" />
        <source>Last seen</source>
        <translation>Last seen</translation>
    </message>
    <message>
        <location filename="../../ui/windows/buddy_details.py" line="54" />
        <source>Registered devices</source>
        <translation>Registered devices</translation>
    </message>
    <message>
        <location filename="../../ui/windows/buddy_details.py" line="56" />
        <source>Device address</source>
        <translation>Device address</translation>
    </message>
    <message>
        <location filename="../../ui/windows/buddy_details.py" line="56" />
        <source>Registered since</source>
        <translation>Registered since</translation>
    </message>
    <message>
        <location filename="../../ui/windows/buddy_details.py" line="56" />
        <source>Expires</source>
        <translation>Expires</translation>
    </message>
    <message>
        <location filename="../../ui/windows/buddy_details.py" line="62" />
        <source>Online and offline changes</source>
        <translation>Online and offline changes</translation>
    </message>
    <message>
        <location filename="../../ui/windows/buddy_details.py" line="68" />
        <source>Devices (from the registrar)</source>
        <translation>Devices (from the registrar)</translation>
    </message>
    <message>
        <location filename="../../ui/windows/buddy_details.py" line="70" />
        <source>Recent changes</source>
        <translation>Recent changes</translation>
    </message>
    <message>
        <location filename="../../ui/windows/buddy_details.py" line="81" />
        <source>not known yet</source>
        <translation>not known yet</translation>
    </message>
    <message>
        <location filename="../../ui/windows/buddy_details.py" line="83" />
        <source>never, so far</source>
        <translation>never, so far</translation>
    </message>
    <message>
        <location filename="../../ui/windows/buddy_details.py" line="90" />
        <source>not said</source>
        <translation>not said</translation>
    </message>
    <message>
        <location filename="../../ui/windows/buddy_details.py" line="100" />
        <source>No change seen since Softphone started</source>
        <translation>No change seen since Softphone started</translation>
    </message>
</context>
<context>
    <name>ChatView</name>
    <message>
        <location filename="../../ui/windows/chat_view.py" line="260" />
        <source>Find in this conversation</source>
        <extracomment>How long after the last key the draft is written to the store. Rows kept loaded while the list follows new messages. Every append lays out each loaded row again (QListView has no cheaper path for rows of different heights), so older rows are unloaded past this, a page at a time, and paged back in when the user scrolls up. The message list's scroll bar: a thin handle on the list's own background. A message of this conversation was deleted (the peer's address). The kept draft of a conversation changed: (peer, text; "" for none). The user edited the draft for a peer: (peer, draft is not empty). What is on screen may have changed (scroll, new rows, another peer): the window checks which received messages a person could now read. The user asked for a message's details (context menu or Ctrl+Shift+I; Ctrl+I is the buddy's details). Whether a message over the UDP limit can go over TCP (set by the window).</extracomment>
        <translation>Find in this conversation</translation>
    </message>
    <message>
        <location filename="../../ui/windows/chat_view.py" line="304" />
        <source>Write a message (Enter sends, Shift+Enter: new line)</source>
        <translation>Write a message (Enter sends, Shift+Enter: new line)</translation>
    </message>
    <message>
        <location filename="../../ui/windows/chat_view.py" line="316" />
        <source>Send</source>
        <translation>Send</translation>
    </message>
    <message>
        <location filename="../../ui/windows/chat_view.py" line="344" />
        <source>No conversation</source>
        <translation>No conversation</translation>
    </message>
    <message>
        <location filename="../../ui/windows/chat_view.py" line="346" />
        <source>Pick a conversation, or press Ctrl+K to go to one, Ctrl+N to start one</source>
        <translation>Pick a conversation, or press Ctrl+K to go to one, Ctrl+N to start one</translation>
    </message>
    <message>
        <location filename="../../ui/windows/chat_view.py" line="511" />
        <source>Long: sent over TCP</source>
        <translation>Long: sent over TCP</translation>
    </message>
    <message>
        <location filename="../../ui/windows/chat_view.py" line="513" />
        <source>{size} bytes: more than {limit}, so it is sent over TCP</source>
        <translation>{size} bytes: more than {limit}, so it is sent over TCP</translation>
    </message>
    <message>
        <location filename="../../ui/windows/chat_view.py" line="519" />
        <source>Too long for this account</source>
        <translation>Too long for this account</translation>
    </message>
    <message>
        <location filename="../../ui/windows/chat_view.py" line="521" />
        <source>{size} bytes: this account can send at most {limit}; shorten it</source>
        <translation>{size} bytes: this account can send at most {limit}; shorten it</translation>
    </message>
    <message>
        <location filename="../../ui/windows/chat_view.py" line="595" />
        <source>Copy text</source>
        <translation>Copy text</translation>
    </message>
    <message>
        <location filename="../../ui/windows/chat_view.py" line="295" />
        <location filename="../../ui/windows/chat_view.py" line="599" />
        <source>Retry</source>
        <translation>Retry</translation>
    </message>
    <message>
        <location filename="../../ui/windows/chat_view.py" line="604" />
        <source>Delete message</source>
        <translation>Delete message</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <location filename="../../ui/windows/main_window.py" line="164" />
        <location filename="../../ui/windows/main_window.py" line="165" />
        <source>Search conversations and buddies</source>
        <extracomment>What a new registration depends on: a change to any of these re-registers. State changes kept per buddy for the details window. Preference keys in `window_settings()`. The account dialog was saved with changes that need a new registration: (Account, the typed password or None for unchanged). The demo's made-up account: nothing here may touch the real settings file or keyring. The window's own preferences (close to tray or quit, said once). Where Account... saves the settings. The account dialog while it is open.</extracomment>
        <translation>Search conversations and buddies</translation>
    </message>
    <message>
        <location filename="../../ui/windows/main_window.py" line="174" />
        <source>Add a buddy</source>
        <translation>Add a buddy</translation>
    </message>
    <message>
        <location filename="../../ui/windows/main_window.py" line="218" />
        <source>Not registered</source>
        <translation>Not registered</translation>
    </message>
    <message>
        <location filename="../../ui/windows/main_window.py" line="287" />
        <source>&amp;New conversation…</source>
        <translation>&amp;New conversation…</translation>
    </message>
    <message>
        <location filename="../../ui/windows/main_window.py" line="289" />
        <source>&amp;Account…</source>
        <translation>&amp;Account…</translation>
    </message>
    <message>
        <location filename="../../ui/windows/main_window.py" line="290" />
        <source>SIP &amp;trace</source>
        <translation>SIP &amp;trace</translation>
    </message>
    <message>
        <location filename="../../ui/windows/main_window.py" line="292" />
        <source>&amp;Quit</source>
        <translation>&amp;Quit</translation>
    </message>
    <message>
        <location filename="../../ui/windows/main_window.py" line="294" />
        <source>Quit when the window is &amp;closed</source>
        <translation>Quit when the window is &amp;closed</translation>
    </message>
    <message>
        <location filename="../../ui/windows/main_window.py" line="301" />
        <source>&amp;Find in conversation</source>
        <translation>&amp;Find in conversation</translation>
    </message>
    <message>
        <location filename="../../ui/windows/main_window.py" line="306" />
        <source>&amp;Add buddy…</source>
        <translation>&amp;Add buddy…</translation>
    </message>
    <message>
        <location filename="../../ui/windows/main_window.py" line="307" />
        <source>&amp;Rename buddy…</source>
        <translation>&amp;Rename buddy…</translation>
    </message>
    <message>
        <location filename="../../ui/windows/main_window.py" line="308" />
        <source>Re&amp;move buddy</source>
        <translation>Re&amp;move buddy</translation>
    </message>
    <message>
        <location filename="../../ui/windows/main_window.py" line="309" />
        <source>&amp;Softphone</source>
        <translation>&amp;Softphone</translation>
    </message>
    <message>
        <location filename="../../ui/windows/main_window.py" line="315" />
        <source>&amp;Buddies</source>
        <translation>&amp;Buddies</translation>
    </message>
    <message>
        <location filename="../../ui/windows/main_window.py" line="318" />
        <source>&amp;Go to conversation…</source>
        <translation>&amp;Go to conversation…</translation>
    </message>
    <message>
        <location filename="../../ui/windows/main_window.py" line="319" />
        <source>&amp;Next conversation</source>
        <translation>&amp;Next conversation</translation>
    </message>
    <message>
        <location filename="../../ui/windows/main_window.py" line="322" />
        <source>&amp;Previous conversation</source>
        <translation>&amp;Previous conversation</translation>
    </message>
    <message>
        <location filename="../../ui/windows/main_window.py" line="332" />
        <source>Buddy &amp;details…</source>
        <translation>Buddy &amp;details…</translation>
    </message>
    <message>
        <location filename="../../ui/windows/main_window.py" line="334" />
        <source>&amp;Conversation</source>
        <translation>&amp;Conversation</translation>
    </message>
    <message>
        <location filename="../../ui/windows/main_window.py" line="396" />
        <source>The server asks for the password for {address}</source>
        <translation>The server asks for the password for {address}</translation>
    </message>
    <message>
        <location filename="../../ui/windows/main_window.py" line="398" />
        <source>The server did not accept the password for {address}</source>
        <translation>The server did not accept the password for {address}</translation>
    </message>
    <message>
        <location filename="../../ui/windows/main_window.py" line="812" />
        <source>Delete conversation</source>
        <translation>Delete conversation</translation>
    </message>
    <message>
        <location filename="../../ui/windows/main_window.py" line="814" />
        <source>Delete the conversation with {name}? Its messages are deleted from this computer only; {name} is not told.</source>
        <translation>Delete the conversation with {name}? Its messages are deleted from this computer only; {name} is not told.</translation>
    </message>
    <message>
        <location filename="../../ui/windows/main_window.py" line="857" />
        <source>Details…</source>
        <translation>Details…</translation>
    </message>
    <message>
        <location filename="../../ui/windows/main_window.py" line="859" />
        <source>Rename…</source>
        <translation>Rename…</translation>
    </message>
    <message>
        <location filename="../../ui/windows/main_window.py" line="862" />
        <source>Remove from buddies</source>
        <translation>Remove from buddies</translation>
    </message>
    <message>
        <location filename="../../ui/windows/main_window.py" line="865" />
        <source>Delete conversation…</source>
        <translation>Delete conversation…</translation>
    </message>
    <message>
        <location filename="../../ui/windows/main_window.py" line="900" />
        <source>Account</source>
        <translation>Account</translation>
    </message>
    <message>
        <location filename="../../ui/windows/main_window.py" line="902" />
        <source>This is the demo: its account is made up and is not saved. To use your own account, quit and start Softphone without the demo.</source>
        <translation>This is the demo: its account is made up and is not saved. To use your own account, quit and start Softphone without the demo.</translation>
    </message>
    <message>
        <location filename="../../ui/windows/main_window.py" line="947" />
        <source>The settings could not be saved: {error}</source>
        <translation>The settings could not be saved: {error}</translation>
    </message>
    <message>
        <location filename="../../ui/windows/main_window.py" line="952" />
        <source>Saved</source>
        <translation>Saved</translation>
    </message>
    <message>
        <location filename="../../ui/windows/main_window.py" line="974" />
        <source>Softphone is still running</source>
        <translation>Softphone is still running</translation>
    </message>
    <message>
        <location filename="../../ui/windows/main_window.py" line="976" />
        <source>You stay online and get new messages here. Use Quit in this icon's menu to go offline.</source>
        <translation>You stay online and get new messages here. Use Quit in this icon's menu to go offline.</translation>
    </message>
    <message>
        <location filename="../../ui/main.py" line="124" />
        <source>Cannot open the network port: {error}</source>
        <extracomment>The flags the app started with (where histories are, what to bind). The password in use; without a keyring, the only copy (memory only).</extracomment>
        <translation>Cannot open the network port: {error}</translation>
    </message>
</context>
<context>
    <name>PasswordDialog</name>
    <message>
        <location filename="../../ui/windows/password_dialog.py" line="30" />
        <source>No password store was found on this computer, so Softphone will ask for your password each time it starts.</source>
        <translation>No password store was found on this computer, so Softphone will ask for your password each time it starts.</translation>
    </message>
    <message>
        <location filename="../../ui/windows/password_dialog.py" line="40" />
        <source>Softphone was set to read the password for {address} from the environment variable {name}, but that variable is not set.</source>
        <translation>Softphone was set to read the password for {address} from the environment variable {name}, but that variable is not set.</translation>
    </message>
    <message>
        <location filename="../../ui/windows/password_dialog.py" line="46" />
        <source>Softphone was set to read the password for {address} from the environment variable {name}, but that variable is empty.</source>
        <translation>Softphone was set to read the password for {address} from the environment variable {name}, but that variable is empty.</translation>
    </message>
    <message>
        <location filename="../../ui/windows/password_dialog.py" line="53" />
        <source>Softphone does not know the password for {address} yet.</source>
        <translation>Softphone does not know the password for {address} yet.</translation>
    </message>
    <message>
        <location filename="../../ui/windows/password_dialog.py" line="67" />
        <location filename="../../ui/windows/password_dialog.py" line="75" />
        <source>Password</source>
        <translation>Password</translation>
    </message>
    <message>
        <location filename="../../ui/windows/password_dialog.py" line="72" />
        <source>Why the password is asked</source>
        <translation>Why the password is asked</translation>
    </message>
    <message>
        <location filename="../../ui/windows/password_dialog.py" line="80" />
        <source>&amp;Password for {address}:</source>
        <translation>&amp;Password for {address}:</translation>
    </message>
    <message>
        <location filename="../../ui/windows/password_dialog.py" line="87" />
        <source>Sign in</source>
        <translation>Sign in</translation>
    </message>
    <message>
        <location filename="../../ui/windows/password_dialog.py" line="106" />
        <source>Type the password to sign in.</source>
        <translation>Type the password to sign in.</translation>
    </message>
</context>
<context>
    <name>QDialog</name>
    <message>
        <location filename="../../ui/windows/buddy_details.py" line="34" />
        <source>in {minutes} min</source>
        <translation>in {minutes} min</translation>
    </message>
    <message>
        <location filename="../../ui/windows/buddy_details.py" line="35" />
        <source>in {seconds} s</source>
        <translation>in {seconds} s</translation>
    </message>
</context>
<context>
    <name>QuickSwitcher</name>
    <message>
        <location filename="../../ui/windows/quick_switcher.py" line="26" />
        <location filename="../../ui/windows/quick_switcher.py" line="32" />
        <source>Go to conversation</source>
        <translation>Go to conversation</translation>
    </message>
    <message>
        <location filename="../../ui/windows/quick_switcher.py" line="31" />
        <source>Type a name or address</source>
        <translation>Type a name or address</translation>
    </message>
    <message>
        <location filename="../../ui/windows/quick_switcher.py" line="36" />
        <source>Matching conversations</source>
        <translation>Matching conversations</translation>
    </message>
</context>
<context>
    <name>Tray</name>
    <message>
        <location filename="../../ui/windows/tray.py" line="102" />
        <source>&amp;Show Softphone</source>
        <extracomment>Longer message text is cut in a notification: the conversation has it all. How long a notification stays up, in milliseconds (the desktop may differ). The peer's AoR: clicking the notification opens this conversation. The user clicked a message notification: open this peer's conversation. The user chose Quit in the tray menu. The user clicked the tray icon or chose Show. The last balloon asked for (title, body), shown or not. Desktop notifications; the tray's balloon when there is no server.</extracomment>
        <translation>&amp;Show Softphone</translation>
    </message>
    <message>
        <location filename="../../ui/windows/tray.py" line="105" />
        <source>&amp;Quit</source>
        <translation>&amp;Quit</translation>
    </message>
</context>
<context>
    <name>buddies</name>
    <message>
        <location filename="../../ui/models/buddies.py" line="44" />
        <location filename="../../ui/models/buddies.py" line="87" />
        <source>online</source>
        <extracomment>BuddyStatus values (softphone.services.presence); kept as text here so the list works before and without the presence service.</extracomment>
        <translation>online</translation>
    </message>
    <message>
        <location filename="../../ui/models/buddies.py" line="45" />
        <source>offline</source>
        <translation>offline</translation>
    </message>
    <message>
        <location filename="../../ui/models/buddies.py" line="47" />
        <source>waiting for authorization</source>
        <translation>waiting for authorization</translation>
    </message>
    <message>
        <location filename="../../ui/models/buddies.py" line="48" />
        <source>not allowed to see this buddy</source>
        <translation>not allowed to see this buddy</translation>
    </message>
    <message>
        <location filename="../../ui/models/buddies.py" line="49" />
        <source>unknown user</source>
        <translation>unknown user</translation>
    </message>
    <message>
        <location filename="../../ui/models/buddies.py" line="86" />
        <source>on {count} devices</source>
        <extracomment>The conversation's last message ("" when there is none) and its time. The buddy is composing a message to us (RFC 3994); never stored.</extracomment>
        <translation>on {count} devices</translation>
    </message>
    <message>
        <location filename="../../ui/models/buddies.py" line="89" />
        <source>last seen {when}</source>
        <translation>last seen {when}</translation>
    </message>
    <message>
        <location filename="../../ui/models/buddies.py" line="102" />
        <source>You: {text}</source>
        <translation>You: {text}</translation>
    </message>
    <message>
        <location filename="../../ui/delegates/buddy.py" line="30" />
        <source>Draft:</source>
        <extracomment>Put before a conversation's unsent text in the list.</extracomment>
        <translation>Draft:</translation>
    </message>
</context>
<context>
    <name>conversation</name>
    <message>
        <location filename="../../ui/models/conversation.py" line="55" />
        <source>Received {when}</source>
        <extracomment>Messages read per page. Messages from one side closer together than this are drawn as a group. The date separator ("Today", "Monday 23 November"), when the day changes here. The "New messages" line: the first message the user has not read. Follows a message from the same side shortly before: drawn close to it.</extracomment>
        <translation>Received {when}</translation>
    </message>
    <message>
        <location filename="../../ui/models/conversation.py" line="57" />
        <source>{state}
Sent {when}</source>
        <translation>{state}
Sent {when}</translation>
    </message>
    <message>
        <location filename="../../ui/models/conversation.py" line="101" />
        <source>Not sent: {reason}. Will try again at {time}</source>
        <translation>Not sent: {reason}. Will try again at {time}</translation>
    </message>
    <message>
        <location filename="../../ui/models/conversation.py" line="105" />
        <source>Not sent: {reason}. Gave up after {hours} hours</source>
        <translation>Not sent: {reason}. Gave up after {hours} hours</translation>
    </message>
    <message>
        <location filename="../../ui/models/conversation.py" line="108" />
        <source>Not sent: {reason}</source>
        <translation>Not sent: {reason}</translation>
    </message>
    <message>
        <location filename="../../ui/models/conversation.py" line="111" />
        <source>Declined: {reason}</source>
        <translation>Declined: {reason}</translation>
    </message>
    <message>
        <location filename="../../ui/models/conversation.py" line="113" />
        <source>Sending…</source>
        <translation>Sending…</translation>
    </message>
    <message>
        <location filename="../../ui/delegates/message_bubble.py" line="212" />
        <source>Retry</source>
        <extracomment>Widest a bubble gets, as a fraction of the view. Space between the text and the time line. How much of the highlight colour a sent bubble takes over the base, and how much of the text colour a received one does: drawn from the palette, so light and dark themes both read well. Height of a date separator or the "New messages" line. Top margin of a bubble that follows one from the same side. States a click on the icon or the Retry button retries. Padding inside the Retry button, each side of its label. Sizes kept before the size cache starts over (resizing makes new widths). Laid-out bubbles kept for painting: a few screens' worth, since each holds a text layout with its glyphs. The line under the text ("Not sent: …", "Sending…"; "" for none). Whether the bubble carries a Retry button. The time, laid out once: drawing static text skips shaping it again. The date separator's text and where it goes (None: no separator). Where the "New messages" line goes (None: not here). The status line, laid out, and where it goes (None: no line). The Retry button (None: no button). QTextLayout breaks lines only at U+2028 LINE SEPARATOR; a newline would be drawn as nothing and join the lines around it.</extracomment>
        <translation>Retry</translation>
    </message>
    <message>
        <location filename="../../ui/delegates/message_bubble.py" line="455" />
        <source>New messages</source>
        <extracomment>What decides a bubble's layout besides its text: (id, width, marks, status line, Retry button). The user clicked the red mark of a failed or declined message.</extracomment>
        <translation>New messages</translation>
    </message>
</context>
<context>
    <name>dates</name>
    <message>
        <location filename="../../ui/dates.py" line="32" />
        <source>Today</source>
        <translation>Today</translation>
    </message>
    <message>
        <location filename="../../ui/dates.py" line="34" />
        <location filename="../../ui/dates.py" line="56" />
        <source>Yesterday</source>
        <translation>Yesterday</translation>
    </message>
    <message>
        <location filename="../../ui/dates.py" line="37" />
        <source>dddd d MMMM</source>
        <translation>dddd d MMMM</translation>
    </message>
    <message>
        <location filename="../../ui/dates.py" line="38" />
        <source>dddd d MMMM yyyy</source>
        <translation>dddd d MMMM yyyy</translation>
    </message>
    <message>
        <location filename="../../ui/dates.py" line="45" />
        <source>dddd d MMMM yyyy, HH:mm:ss</source>
        <translation>dddd d MMMM yyyy, HH:mm:ss</translation>
    </message>
    <message>
        <location filename="../../ui/dates.py" line="61" />
        <source>d MMM</source>
        <translation>d MMM</translation>
    </message>
    <message>
        <location filename="../../ui/dates.py" line="62" />
        <source>d MMM yyyy</source>
        <translation>d MMM yyyy</translation>
    </message>
</context>
</TS>