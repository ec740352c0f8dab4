<?xml version='1.0' encoding='utf-8'?>
<TS version="2.1" language="ko" sourcelanguage="en">
<context>
    <name>AccountDialog</name>
    <message>
        <location filename="../../ui/windows/settings_dialog.py" line="146" />
        <source>Accept messages sent &amp;directly to this computer</source>
        <extracomment>The dialog's result when "Try it on this computer" was chosen. The user chose "Try it on this computer" instead of an account.</extracomment>
        <translation>이 컴퓨터로 직접 보낸 메시지 받기(&amp;D)</translation>
    </message>
    <message>
        <location filename="../../ui/windows/settings_dialog.py" line="149" />
        <source>Accept messages sent directly to this computer</source>
        <translation>이 컴퓨터로 직접 보낸 메시지 받기</translation>
    </message>
    <message>
        <location filename="../../ui/windows/settings_dialog.py" line="153" />
        <source>Off: only messages that come through your provider's server are taken. On: anyone who can reach this computer can send you messages.</source>
        <translation>끄면: 서비스 제공자의 서버를 거쳐 온 메시지만 받습니다. 켜면: 이 컴퓨터에 닿을 수 있는 누구나 메시지를 보낼 수 있습니다.</translation>
    </message>
    <message>
        <location filename="../../ui/windows/settings_dialog.py" line="171" />
        <source>Password problem</source>
        <extracomment>The server's refusal of the password, in words, above the field.</extracomment>
        <translation>비밀번호 문제</translation>
    </message>
</context>
<context>
    <name>BuddyDetails</name>
    <message>
        <location filename="../../ui/windows/buddy_details.py" line="43" />
        <source>Buddy details</source>
        <translation>친구 정보</translation>
    </message>
    <message>
        <location filename="../../ui/windows/buddy_details.py" line="50" />
        <source>Address</source>
        <translation>주소</translation>
    </message>
    <message>
        <location filename="../../ui/windows/buddy_details.py" line="51" />
        <source>State</source>
        <translation>상태</translation>
    </message>
    <message>
        <location filename="../../ui/windows/buddy_details.py" line="52" />
        <source>Last seen</source>
        <translation>마지막 접속</translation>
    </message>
    <message>
        <location filename="../../ui/windows/buddy_details.py" line="54" />
        <source>Registered devices</source>
        <translation>등록된 기기</translation>
    </message>
    <message>
        <location filename="../../ui/windows/buddy_details.py" line="56" />
        <source>Device address</source>
        <translation>기기 주소</translation>
    </message>
    <message>
        <location filename="../../ui/windows/buddy_details.py" line="56" />
        <source>Registered since</source>
        <translation>등록 시각</translation>
    </message>
    <message>
        <location filename="../../ui/windows/buddy_details.py" line="56" />
        <source>Expires</source>
        <translation>만료</translation>
    </message>
    <message>
        <location filename="../../ui/windows/buddy_details.py" line="62" />
        <source>Online and offline changes</source>
        <translation>온라인·오프라인 변화</translation>
    </message>
    <message>
        <location filename="../../ui/windows/buddy_details.py" line="68" />
        <source>Devices (from the registrar)</source>
        <translation>기기 (등록 서버 정보)</translation>
    </message>
    <message>
        <location filename="../../ui/windows/buddy_details.py" line="70" />
        <source>Recent changes</source>
        <translation>최근 변화</translation>
    </message>
    <message>
        <location filename="../../ui/windows/buddy_details.py" line="81" />
        <source>not known yet</source>
        <translation>아직 알 수 없음</translation>
    </message>
    <message>
        <location filename="../../ui/windows/buddy_details.py" line="83" />
        <source>never, so far</source>
        <translation>아직 없음</translation>
    </message>
    <message>
        <location filename="../../ui/windows/buddy_details.py" line="90" />
        <source>not said</source>
        <translation>알려지지 않음</translation>
    </message>
    <message>
        <location filename="../../ui/windows/buddy_details.py" line="100" />
        <source>No change seen since Softphone started</source>
        <translation>Softphone을 시작한 뒤로 변화가 없습니다</translation>
    </message>
</context>
<context>
    <name>ChatView</name>
    <message>
        <location filename="../../ui/windows/chat_view.py" line="260" />
        <source>Find in this conversation</source>
        <extracomment>How long after the last key the draft is written to the store. Rows kept loaded while the list follows new messages. Every append lays out each loaded row again (QListView has no cheaper path for rows of different heights), so older rows are unloaded past this, a page at a time, and paged back in when the user scrolls up. The message list's scroll bar: a thin handle on the list's own background. A message of this conversation was deleted (the peer's address). The kept draft of a conversation changed: (peer, text; "" for none). The user edited the draft for a peer: (peer, draft is not empty). What is on screen may have changed (scroll, new rows, another peer): the window checks which received messages a person could now read. The user asked for a message's details (context menu or Ctrl+Shift+I; Ctrl+I is the buddy's details). Whether a message over the UDP limit can go over TCP (set by the window).</extracomment>
        <translation>이 대화에서 찾기</translation>
    </message>
    <message>
        <location filename="../../ui/windows/chat_view.py" line="304" />
        <source>Write a message (Enter sends, Shift+Enter: new line)</source>
        <translation>메시지 입력 (Enter: 보내기, Shift+Enter: 줄바꿈)</translation>
    </message>
    <message>
        <location filename="../../ui/windows/chat_view.py" line="316" />
        <source>Send</source>
        <translation>보내기</translation>
    </message>
    <message>
        <location filename="../../ui/windows/chat_view.py" line="344" />
        <source>No conversation</source>
        <translation>대화 없음</translation>
    </message>
    <message>
        <location filename="../../ui/windows/chat_view.py" line="346" />
        <source>Pick a conversation, or press Ctrl+K to go to one, Ctrl+N to start one</source>
        <translation>대화를 고르세요. Ctrl+K로 대화로 이동, Ctrl+N으로 새 대화</translation>
    </message>
    <message>
        <location filename="../../ui/windows/chat_view.py" line="511" />
        <source>Long: sent over TCP</source>
        <translation>긴 메시지: TCP로 보냅니다</translation>
    </message>
    <message>
        <location filename="../../ui/windows/chat_view.py" line="513" />
        <source>{size} bytes: more than {limit}, so it is sent over TCP</source>
        <translation>{size}바이트: {limit}바이트를 넘어서 TCP로 보냅니다</translation>
    </message>
    <message>
        <location filename="../../ui/windows/chat_view.py" line="519" />
        <source>Too long for this account</source>
        <translation>이 계정으로 보내기에 너무 깁니다</translation>
    </message>
    <message>
        <location filename="../../ui/windows/chat_view.py" line="521" />
        <source>{size} bytes: this account can send at most {limit}; shorten it</source>
        <translation>{size}바이트: 이 계정은 최대 {limit}바이트까지 보낼 수 있습니다. 줄여 주세요</translation>
    </message>
    <message>
        <location filename="../../ui/windows/chat_view.py" line="595" />
        <source>Copy text</source>
        <translation>텍스트 복사</translation>
    </message>
    <message>
        <location filename="../../ui/windows/chat_view.py" line="295" />
        <location filename="../../ui/windows/chat_view.py" line="599" />
        <source>Retry</source>
        <translation>다시 보내기</translation>
    </message>
    <message>
        <location filename="../../ui/windows/chat_view.py" line="604" />
        <source>Delete message</source>
        <translation>메시지 삭제</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <location filename="../../ui/windows/main_window.py" line="164" />
        <location filename="../../ui/windows/main_window.py" line="165" />
        <source>Search conversations and buddies</source>
        <extracomment>What a new registration depends on: a change to any of these re-registers. State changes kept per buddy for the details window. Preference keys in `window_settings()`. The account dialog was saved with changes that need a new registration: (Account, the typed password or None for unchanged). The demo's made-up account: nothing here may touch the real settings file or keyring. The window's own preferences (close to tray or quit, said once). Where Account... saves the settings. The account dialog while it is open.</extracomment>
        <translation>대화와 친구 검색</translation>
    </message>
    <message>
        <location filename="../../ui/windows/main_window.py" line="174" />
        <source>Add a buddy</source>
        <translation>친구 추가</translation>
    </message>
    <message>
        <location filename="../../ui/windows/main_window.py" line="218" />
        <source>Not registered</source>
        <translation>등록되지 않음</translation>
    </message>
    <message>
        <location filename="../../ui/windows/main_window.py" line="287" />
        <source>&amp;New conversation…</source>
        <translation>새 대화(&amp;N)…</translation>
    </message>
    <message>
        <location filename="../../ui/windows/main_window.py" line="289" />
        <source>&amp;Account…</source>
        <translation>계정(&amp;A)…</translation>
    </message>
    <message>
        <location filename="../../ui/windows/main_window.py" line="290" />
        <source>SIP &amp;trace</source>
        <translation>SIP 추적(&amp;T)</translation>
    </message>
    <message>
        <location filename="../../ui/windows/main_window.py" line="292" />
        <source>&amp;Quit</source>
        <translation>끝내기(&amp;Q)</translation>
    </message>
    <message>
        <location filename="../../ui/windows/main_window.py" line="294" />
        <source>Quit when the window is &amp;closed</source>
        <translation>창을 닫으면 끝내기(&amp;C)</translation>
    </message>
    <message>
        <location filename="../../ui/windows/main_window.py" line="301" />
        <source>&amp;Find in conversation</source>
        <translation>대화에서 찾기(&amp;F)</translation>
    </message>
    <message>
        <location filename="../../ui/windows/main_window.py" line="306" />
        <source>&amp;Add buddy…</source>
        <translation>친구 추가(&amp;A)…</translation>
    </message>
    <message>
        <location filename="../../ui/windows/main_window.py" line="307" />
        <source>&amp;Rename buddy…</source>
        <translation>친구 이름 바꾸기(&amp;R)…</translation>
    </message>
    <message>
        <location filename="../../ui/windows/main_window.py" line="308" />
        <source>Re&amp;move buddy</source>
        <translation>친구 삭제(&amp;M)</translation>
    </message>
    <message>
        <location filename="../../ui/windows/main_window.py" line="309" />
        <source>&amp;Softphone</source>
        <translation>Softphone(&amp;S)</translation>
    </message>
    <message>
        <location filename="../../ui/windows/main_window.py" line="315" />
        <source>&amp;Buddies</source>
        <translation>친구(&amp;B)</translation>
    </message>
    <message>
        <location filename="../../ui/windows/main_window.py" line="318" />
        <source>&amp;Go to conversation…</source>
        <translation>대화로 이동(&amp;G)…</translation>
    </message>
    <message>
        <location filename="../../ui/windows/main_window.py" line="319" />
        <source>&amp;Next conversation</source>
        <translation>다음 대화(&amp;N)</translation>
    </message>
    <message>
        <location filename="../../ui/windows/main_window.py" line="322" />
        <source>&amp;Previous conversation</source>
        <translation>이전 대화(&amp;P)</translation>
    </message>
    <message>
        <location filename="../../ui/windows/main_window.py" line="332" />
        <source>Buddy &amp;details…</source>
        <translation>친구 정보(&amp;D)…</translation>
    </message>
    <message>
        <location filename="../../ui/windows/main_window.py" line="334" />
        <source>&amp;Conversation</source>
        <translation>대화(&amp;C)</translation>
    </message>
    <message>
        <location filename="../../ui/windows/main_window.py" line="396" />
        <source>The server asks for the password for {address}</source>
        <translation>서버가 {address}의 비밀번호를 요구합니다</translation>
    </message>
    <message>
        <location filename="../../ui/windows/main_window.py" line="398" />
        <source>The server did not accept the password for {address}</source>
        <translation>서버가 {address}의 비밀번호를 받아들이지 않았습니다</translation>
    </message>
    <message>
        <location filename="../../ui/windows/main_window.py" line="812" />
        <source>Delete conversation</source>
        <translation>대화 삭제</translation>
    </message>
    <message>
        <location filename="../../ui/windows/main_window.py" line="814" />
        <source>Delete the conversation with {name}? Its messages are deleted from this computer only; {name} is not told.</source>
        <translation>{name}님과의 대화를 삭제할까요? 메시지는 이 컴퓨터에서만 삭제되며 {name}님에게는 알리지 않습니다.</translation>
    </message>
    <message>
        <location filename="../../ui/windows/main_window.py" line="857" />
        <source>Details…</source>
        <translation>정보…</translation>
    </message>
    <message>
        <location filename="../../ui/windows/main_window.py" line="859" />
        <source>Rename…</source>
        <translation>이름 바꾸기…</translation>
    </message>
    <message>
        <location filename="../../ui/windows/main_window.py" line="862" />
        <source>Remove from buddies</source>
        <translation>친구에서 삭제</translation>
    </message>
    <message>
        <location filename="../../ui/windows/main_window.py" line="865" />
        <source>Delete conversation…</source>
        <translation>대화 삭제…</translation>
    </message>
    <message>
        <location filename="../../ui/windows/main_window.py" line="900" />
        <source>Account</source>
        <translation>계정</translation>
    </message>
    <message>
        <location filename="../../ui/windows/main_window.py" line="902" />
        <source>This is the demo: its account is made up and is not saved. To use your own account, quit and start Softphone without the demo.</source>
        <translation>데모입니다. 데모 계정은 가상의 계정이며 저장되지 않습니다. 내 계정을 쓰려면 끝낸 뒤 데모 없이 Softphone을 시작하세요.</translation>
    </message>
    <message>
        <location filename="../../ui/windows/main_window.py" line="947" />
        <source>The settings could not be saved: {error}</source>
        <translation>설정을 저장하지 못했습니다: {error}</translation>
    </message>
    <message>
        <location filename="../../ui/windows/main_window.py" line="952" />
        <source>Saved</source>
        <translation>저장했습니다</translation>
    </message>
    <message>
        <location filename="../../ui/windows/main_window.py" line="974" />
        <source>Softphone is still running</source>
        <translation>Softphone이 계속 실행 중입니다</translation>
    </message>
    <message>
        <location filename="../../ui/windows/main_window.py" line="976" />
        <source>You stay online and get new messages here. Use Quit in this icon's menu to go offline.</source>
        <translation>온라인 상태가 유지되며 새 메시지가 여기로 옵니다. 오프라인이 되려면 이 아이콘 메뉴의 끝내기를 고르세요.</translation>
    </message>
    <message>
        <location filename="../../ui/main.py" line="124" />
        <source>Cannot open the network port: {error}</source>
        <extracomment>The flags the app started with (where histories are, what to bind). The password in use; without a keyring, the only copy (memory only).</extracomment>
        <translation>네트워크 포트를 열 수 없습니다: {error}</translation>
    </message>
</context>
<context>
    <name>PasswordDialog</name>
    <message>
        <location filename="../../ui/windows/password_dialog.py" line="30" />
        <source>No password store was found on this computer, so Softphone will ask for your password each time it starts.</source>
        <translation>이 컴퓨터에서 비밀번호 저장소를 찾지 못했습니다. 그래서 Softphone을 시작할 때마다 비밀번호를 묻습니다.</translation>
    </message>
    <message>
        <location filename="../../ui/windows/password_dialog.py" line="40" />
        <source>Softphone was set to read the password for {address} from the environment variable {name}, but that variable is not set.</source>
        <translation>Softphone은 {address}의 비밀번호를 환경 변수 {name}에서 읽도록 설정되어 있지만, 그 변수가 설정되어 있지 않습니다.</translation>
    </message>
    <message>
        <location filename="../../ui/windows/password_dialog.py" line="46" />
        <source>Softphone was set to read the password for {address} from the environment variable {name}, but that variable is empty.</source>
        <translation>Softphone은 {address}의 비밀번호를 환경 변수 {name}에서 읽도록 설정되어 있지만, 그 변수가 비어 있습니다.</translation>
    </message>
    <message>
        <location filename="../../ui/windows/password_dialog.py" line="53" />
        <source>Softphone does not know the password for {address} yet.</source>
        <translation>Softphone은 아직 {address}의 비밀번호를 모릅니다.</translation>
    </message>
    <message>
        <location filename="../../ui/windows/password_dialog.py" line="67" />
        <location filename="../../ui/windows/password_dialog.py" line="75" />
        <source>Password</source>
        <translation>비밀번호</translation>
    </message>
    <message>
        <location filename="../../ui/windows/password_dialog.py" line="72" />
        <source>Why the password is asked</source>
        <translation>비밀번호를 묻는 이유</translation>
    </message>
    <message>
        <location filename="../../ui/windows/password_dialog.py" line="80" />
        <source>&amp;Password for {address}:</source>
        <translation>{address}의 비밀번호(&amp;P):</translation>
    </message>
    <message>
        <location filename="../../ui/windows/password_dialog.py" line="87" />
        <source>Sign in</source>
        <translation>로그인</translation>
    </message>
    <message>
        <location filename="../../ui/windows/password_dialog.py" line="106" />
        <source>Type the password to sign in.</source>
        <translation>로그인하려면 비밀번호를 입력하세요.</translation>
    </message>
</context>
<context>
    <name>QDialog</name>
    <message>
        <location filename="../../ui/windows/buddy_details.py" line="34" />
        <source>in {minutes} min</source>
        <translation>{minutes}분 뒤</translation>
    </message>
    <message>
        <location filename="../../ui/windows/buddy_details.py" line="35" />
        <source>in {seconds} s</source>
        <translation>{seconds}초 뒤</translation>
    </message>
</context>
<context>
    <name>QuickSwitcher</name>
    <message>
        <location filename="../../ui/windows/quick_switcher.py" line="26" />
        <location filename="../../ui/windows/quick_switcher.py" line="32" />
        <source>Go to conversation</source>
        <translation>대화로 이동</translation>
    </message>
    <message>
        <location filename="../../ui/windows/quick_switcher.py" line="31" />
        <source>Type a name or address</source>
        <translation>이름이나 주소를 입력하세요</translation>
    </message>
    <message>
        <location filename="../../ui/windows/quick_switcher.py" line="36" />
        <source>Matching conversations</source>
        <translation>일치하는 대화</translation>
    </message>
</context>
<context>
    <name>Tray</name>
    <message>
        <location filename="../../ui/windows/tray.py" line="102" />
        <source>&amp;Show Softphone</source>
        <extracomment>Longer message text is cut in a notification: the conversation has it all. How long a notification stays up, in milliseconds (the desktop may differ). The peer's AoR: clicking the notification opens this conversation. The user clicked a message notification: open this peer's conversation. The user chose Quit in the tray menu. The user clicked the tray icon or chose Show. The last balloon asked for (title, body), shown or not. Desktop notifications; the tray's balloon when there is no server.</extracomment>
        <translation>Softphone 보이기(&amp;S)</translation>
    </message>
    <message>
        <location filename="../../ui/windows/tray.py" line="105" />
        <source>&amp;Quit</source>
        <translation>끝내기(&amp;Q)</translation>
    </message>
</context>
<context>
    <name>buddies</name>
    <message>
        <location filename="../../ui/models/buddies.py" line="44" />
        <location filename="../../ui/models/buddies.py" line="87" />
        <source>online</source>
        <extracomment>BuddyStatus values (softphone.services.presence); kept as text here so the list works before and without the presence service.</extracomment>
        <translation>온라인</translation>
    </message>
    <message>
        <location filename="../../ui/models/buddies.py" line="45" />
        <source>offline</source>
        <translation>오프라인</translation>
    </message>
    <message>
        <location filename="../../ui/models/buddies.py" line="47" />
        <source>waiting for authorization</source>
        <translation>승인을 기다리는 중</translation>
    </message>
    <message>
        <location filename="../../ui/models/buddies.py" line="48" />
        <source>not allowed to see this buddy</source>
        <translation>이 친구의 상태를 볼 수 없습니다</translation>
    </message>
    <message>
        <location filename="../../ui/models/buddies.py" line="49" />
        <source>unknown user</source>
        <translation>없는 사용자</translation>
    </message>
    <message>
        <location filename="../../ui/models/buddies.py" line="86" />
        <source>on {count} devices</source>
        <extracomment>The conversation's last message ("" when there is none) and its time. The buddy is composing a message to us (RFC 3994); never stored.</extracomment>
        <translation>기기 {count}대에서 접속 중</translation>
    </message>
    <message>
        <location filename="../../ui/models/buddies.py" line="89" />
        <source>last seen {when}</source>
        <translation>마지막 접속 {when}</translation>
    </message>
    <message>
        <location filename="../../ui/models/buddies.py" line="102" />
        <source>You: {text}</source>
        <translation>나: {text}</translation>
    </message>
    <message>
        <location filename="../../ui/delegates/buddy.py" line="30" />
        <source>Draft:</source>
        <extracomment>Put before a conversation's unsent text in the list.</extracomment>
        <translation>임시 저장:</translation>
    </message>
</context>
<context>
    <name>conversation</name>
    <message>
        <location filename="../../ui/models/conversation.py" line="55" />
        <source>Received {when}</source>
        <extracomment>Messages read per page. Messages from one side closer together than this are drawn as a group. The date separator ("Today", "Monday 23 November"), when the day changes here. The "New messages" line: the first message the user has not read. Follows a message from the same side shortly before: drawn close to it.</extracomment>
        <translation>받은 시각 {when}</translation>
    </message>
    <message>
        <location filename="../../ui/models/conversation.py" line="57" />
        <source>{state}
Sent {when}</source>
        <translation>{state}
보낸 시각 {when}</translation>
    </message>
    <message>
        <location filename="../../ui/models/conversation.py" line="101" />
        <source>Not sent: {reason}. Will try again at {time}</source>
        <translation>보내지 못함: {reason}. {time}에 다시 보냅니다</translation>
    </message>
    <message>
        <location filename="../../ui/models/conversation.py" line="105" />
        <source>Not sent: {reason}. Gave up after {hours} hours</source>
        <translation>보내지 못함: {reason}. {hours}시간 동안 시도한 뒤 포기했습니다</translation>
    </message>
    <message>
        <location filename="../../ui/models/conversation.py" line="108" />
        <source>Not sent: {reason}</source>
        <translation>보내지 못함: {reason}</translation>
    </message>
    <message>
        <location filename="../../ui/models/conversation.py" line="111" />
        <source>Declined: {reason}</source>
        <translation>거절됨: {reason}</translation>
    </message>
    <message>
        <location filename="../../ui/models/conversation.py" line="113" />
        <source>Sending…</source>
        <translation>보내는 중…</translation>
    </message>
    <message>
        <location filename="../../ui/delegates/message_bubble.py" line="212" />
        <source>Retry</source>
        <extracomment>Widest a bubble gets, as a fraction of the view. Space between the text and the time line. How much of the highlight colour a sent bubble takes over the base, and how much of the text colour a received one does: drawn from the palette, so light and dark themes both read well. Height of a date separator or the "New messages" line. Top margin of a bubble that follows one from the same side. States a click on the icon or the Retry button retries. Padding inside the Retry button, each side of its label. Sizes kept before the size cache starts over (resizing makes new widths). Laid-out bubbles kept for painting: a few screens' worth, since each holds a text layout with its glyphs. The line under the text ("Not sent: …", "Sending…"; "" for none). Whether the bubble carries a Retry button. The time, laid out once: drawing static text skips shaping it again. The date separator's text and where it goes (None: no separator). Where the "New messages" line goes (None: not here). The status line, laid out, and where it goes (None: no line). The Retry button (None: no button). QTextLayout breaks lines only at U+2028 LINE SEPARATOR; a newline would be drawn as nothing and join the lines around it.</extracomment>
        <translation>다시 보내기</translation>
    </message>
    <message>
        <location filename="../../ui/delegates/message_bubble.py" line="455" />
        <source>New messages</source>
        <extracomment>What decides a bubble's layout besides its text: (id, width, marks, status line, Retry button). The user clicked the red mark of a failed or declined message.</extracomment>
        <translation>새 메시지</translation>
    </message>
</context>
<context>
    <name>dates</name>
    <message>
        <location filename="../../ui/dates.py" line="32" />
        <source>Today</source>
        <translation>오늘</translation>
    </message>
    <message>
        <location filename="../../ui/dates.py" line="34" />
        <location filename="../../ui/dates.py" line="56" />
        <source>Yesterday</source>
        <translation>어제</translation>
    </message>
    <message>
        <location filename="../../ui/dates.py" line="37" />
        <source>dddd d MMMM</source>
        <translation>M월 d일 dddd</translation>
    </message>
    <message>
        <location filename="../../ui/dates.py" line="38" />
        <source>dddd d MMMM yyyy</source>
        <translation>yyyy년 M월 d일 dddd</translation>
    </message>
    <message>
        <location filename="../../ui/dates.py" line="45" />
        <source>dddd d MMMM yyyy, HH:mm:ss</source>
        <translation>yyyy년 M월 d일 dddd HH:mm:ss</translation>
    </message>
    <message>
        <location filename="../../ui/dates.py" line="61" />
        <source>d MMM</source>
        <translation>M월 d일</translation>
    </message>
    <message>
        <location filename="../../ui/dates.py" line="62" />
        <source>d MMM yyyy</source>
        <translation>yyyy년 M월 d일</translation>
    </message>
</context>
</TS>